package dev.sieve.cli;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.eval.metrics.VerdictEvaluator;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.training.VictimTraining;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.pipeline.PretrainedVictim;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.stream.app.FilterApp;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.wire.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {
        "Measure scoring throughput: the bare DJL forward pass (entropy of a batch) against the whole",
        "Streams topology (validate, buffer, score, route, exactly-once) on an embedded broker, at the",
        "same batch size, with the same trained Victim. Prints samples/s for both, per run and the median",
        "of --runs interleaved runs."})
final class BenchCommand implements Callable<Integer> {

  @Mixin DataOptions data;
  @Mixin DeviceOptions device;

  @Option(names = "--batch-size", defaultValue = "256", description = "Batch size for both paths (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--samples", defaultValue = "30000", description = "Samples scored per path (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--stream-threads", defaultValue = "1", description = "Kafka Streams threads (default: ${DEFAULT-VALUE}).")
  int streamThreads;

  @Option(names = "--runs", defaultValue = "3", paramLabel = "N",
      description = "Measure both paths N times, interleaved, and report the median ratio: the ratio swings with the"
          + " machine and its neighbours (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--streams-property", paramLabel = "KEY=VALUE",
      description = "A Kafka Streams setting over the filter's own (repeatable), to measure what it costs, e.g."
          + " commit.interval.ms=1000.")
  Map<String, String> streamsProperties = new LinkedHashMap<>();

  /** One interleaved measurement: the bare pass, then the topology on the same samples. */
  record Run(double bare, double standingStart, double steady) {
    double ratio() {
      return steady / bare;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (runs < 1 || batchSize < 1 || samples < 1) {
      throw new IllegalArgumentException("--runs, --batch-size and --samples must be at least 1");
    }
    device.use("bench", System.err);
    FashionMnist.Split train = data.loadTrain();
    List<LabeledSample> stream = data.trainingSet(train, samples).samples();
    int n = stream.size();
    Path work = Files.createTempDirectory("sieve-bench");
    List<LabeledSample> head = stream.subList(0, Math.min(10_000, n));
    Map<String, String> overrides = new TreeMap<>(streamsProperties);
    overrides.put("num.stream.threads", Integer.toString(streamThreads));
    try (PretrainedVictim pretrained = PretrainedVictim.train(head, work, System.out);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      VictimTraining victim = pretrained.training();
      bare(victim, stream); // warms up the engine's kernels and allocator
      System.out.printf(Locale.ROOT, "%d run(s) of both paths on %d samples, batch %d, %d stream thread(s),"
          + " exactly-once%s%n", runs, n, batchSize, streamThreads,
          streamsProperties.isEmpty() ? "" : ", " + streamsProperties);
      List<Run> measured = new ArrayList<>();
      for (int r = 1; r <= runs; r++) {
        // Topics of its own per run, filled before the clock starts, so that no run counts another's verdicts.
        TopicNames topics = new TopicNames("bench-" + r + ".");
        ClusterOptions.ensureTopicsWith(broker.bootstrapServers(), topics, 2, Map.of());
        pretrained.publish(broker.bootstrapServers(), topics, work.resolve("victim-" + r), "sieve-bench", Map.of());
        new SampleProducer(data.producerConfig(broker.bootstrapServers(), topics).withLimit(n).withShuffle(false)
            .withRecordsPerSecond(0)).produce(train, x -> { });
        long started = System.nanoTime();
        bare(victim, stream);
        double bare = n / ((System.nanoTime() - started) / 1e9);
        FilterConfig filter = FilterConfig.defaults(topics).withApplicationId("sieve-bench-" + r)
            .withBatchSize(batchSize).withDataset(data.builtIn().descriptor());
        long appStarted = System.nanoTime();
        try (FilterApp app = new FilterApp(broker.bootstrapServers(), filter, work.resolve("state-" + r), null,
            SplitPolicies.defaultPolicy(), overrides, ModelTrust.within(work.resolve("victim-" + r))).start()) {
          DetectionReport report = new VerdictEvaluator(broker.bootstrapServers(), topics)
              .evaluate(n, Duration.ofMinutes(10), x -> { });
          if (!report.complete()) {
            throw new IllegalStateException("run " + r + ": only " + report.distinct() + " of " + n
                + " samples were decided within 10 minutes");
          }
          double seconds = (System.nanoTime() - appStarted) / 1e9;
          Run run = new Run(bare, report.distinct() / seconds, steadyRate(report));
          measured.add(run);
          System.out.printf(Locale.ROOT, "run %d: bare forward pass + entropy %.0f samples/s | topology %.0f samples/s"
              + " steady (first to last verdict), %.0f from a standing start (start-up, rebalance, Victim load) |"
              + " ratio %.2f%n", r, run.bare(), run.steady(), run.standingStart(), run.ratio());
        }
      }
      System.out.printf(Locale.ROOT, "median of %d: bare %.0f samples/s, topology %.0f samples/s steady, %.0f from a"
          + " standing start; topology / bare %.2f (runs: %s)%n", runs, median(measured, Run::bare),
          median(measured, Run::steady), median(measured, Run::standingStart), median(measured, Run::ratio),
          measured.stream().map(m -> String.format(Locale.ROOT, "%.2f", m.ratio())).toList());
    }
    return 0;
  }

  private static double median(List<Run> runs, ToDoubleFunction<Run> value) {
    double[] sorted = runs.stream().mapToDouble(value).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private void bare(VictimTraining victim, List<LabeledSample> stream) {
    for (int from = 0; from < stream.size(); from += batchSize) {
      victim.network().entropies(stream.subList(from, Math.min(stream.size(), from + batchSize)));
    }
  }

  /** Decided samples over the span from the first to the last decision. */
  private static double steadyRate(DetectionReport report) {
    return report.decisionSpanSeconds() > 0 ? report.distinct() / report.decisionSpanSeconds() : Double.NaN;
  }
}

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {
        "Measure scoring throughput: the bare DJL forward pass (entropy of a batch) against the whole",
        "Streams topology (validate, buffer, score, route, exactly-once) on an embedded broker, at the",
        "same batch size, with the same trained Victim. Prints samples/s for both."})
final class BenchCommand implements Callable<Integer> {

  @Mixin DataOptions data;
  @Mixin DeviceOptions device;

  @Option(names = "--batch-size", defaultValue = "256", description = "Batch size for both paths (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--samples", defaultValue = "30000", description = "Samples scored per path (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--stream-threads", defaultValue = "1", description = "Kafka Streams threads (default: ${DEFAULT-VALUE}).")
  int streamThreads;

  @Override
  public Integer call() throws Exception {
    device.use("bench", System.err);
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(data.dataDir));
    List<LabeledSample> stream = data.trainingSet(train, samples).samples();
    int n = stream.size();
    Path work = Files.createTempDirectory("sieve-bench");
    List<LabeledSample> head = stream.subList(0, Math.min(10_000, n));
    try (PretrainedVictim pretrained = PretrainedVictim.train(head, work, System.out)) {
      VictimTraining victim = pretrained.training();
      // Bare forward pass: entropies of consecutive batches, after one warm-up pass.
      bare(victim, stream);
      long started = System.nanoTime();
      bare(victim, stream);
      double bareSeconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(Locale.ROOT, "bare DJL forward pass + entropy, batch %d: %d samples in %.2f s = %.0f samples/s%n",
          batchSize, n, bareSeconds, n / bareSeconds);

      try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
        TopicNames topics = new TopicNames("bench.");
        ClusterOptions.ensureTopicsWith(broker.bootstrapServers(), topics, 2, Map.of());
        pretrained.publish(broker.bootstrapServers(), topics, work.resolve("victim"), "sieve-bench", Map.of());
        new SampleProducer(data.producerConfig(broker.bootstrapServers(), topics).withLimit(n).withShuffle(false)
            .withRecordsPerSecond(0)).produce(train, x -> { });
        System.out.println(n + " samples waiting in " + topics.samples() + "; starting the filter ...");
        FilterConfig filter = FilterConfig.defaults(topics).withApplicationId("sieve-bench").withBatchSize(batchSize);
        long appStarted = System.nanoTime();
        try (FilterApp app = new FilterApp(broker.bootstrapServers(), filter, work.resolve("state"), null,
            SplitPolicies.defaultPolicy(), Map.of("num.stream.threads", Integer.toString(streamThreads)),
            ModelTrust.within(work.resolve("victim"))).start()) {
          DetectionReport report = new VerdictEvaluator(broker.bootstrapServers(), topics)
              .evaluate(n, Duration.ofMinutes(10), x -> { });
          double seconds = (System.nanoTime() - appStarted) / 1e9;
          System.out.printf(Locale.ROOT, "Streams topology (exactly-once, %d thread(s), batch %d): %d samples in %.2f s "
                  + "= %.0f samples/s from a standing start (includes start-up, rebalance and Victim load)%n",
              streamThreads, batchSize, report.distinct(), seconds, report.distinct() / seconds);
          System.out.printf(Locale.ROOT, "  steady rate between the first and the last verdict: %.0f samples/s%n",
              steadyRate(report));
        }
      }
    }
    return 0;
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

package dev.sieve.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.loadtest.load.GroupLag;
import dev.sieve.loadtest.load.LoadTest;
import dev.sieve.loadtest.load.VerdictLatency;
import dev.sieve.loadtest.produce.TimedLoad;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.ops.Meters;
import dev.sieve.pipeline.PretrainedVictim;
import dev.sieve.stream.app.FilterApp;
import dev.sieve.stream.metrics.MicrometerFilterMetrics;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.wire.TopicNames;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "loadtest", mixinStandardHelpOptions = true,
    description = {
        "Drive the filter at a given rate for a given time (--rate R --duration S), or ramp the rate up to",
        "find the highest sustainable one (--ramp). Reports records/s, MB/s, end-to-end latency p50/p95/p99/max",
        "(HdrHistogram, from each sample's send time to its committed verdict), consumer lag and the",
        "batch-size distribution. By default everything runs here: an embedded broker, a filter with a",
        "pre-trained Victim (the Victim updater off, so only filtering is measured) and the load.",
        "With --bootstrap-servers it drives a filter that runs elsewhere and reads its lag by --application-id."})
final class LoadTestCommand implements Callable<Integer> {

  @Mixin DataOptions data;

  @Option(names = "--duration", defaultValue = "60", paramLabel = "SECONDS",
      description = "Length of the fixed-rate run (default: ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--ramp", description = "Ramp the rate up from --start-rate by --factor until a step is not sustained.")
  boolean ramp;

  @Option(names = "--start-rate", defaultValue = "500", paramLabel = "R", description = "First ramp step, records/s (default: ${DEFAULT-VALUE}).")
  double startRate;

  @Option(names = "--factor", defaultValue = "1.5", description = "Ramp step factor (default: ${DEFAULT-VALUE}).")
  double factor;

  @Option(names = "--max-rate", defaultValue = "100000", paramLabel = "R", description = "Ramp ceiling, records/s (default: ${DEFAULT-VALUE}).")
  double maxRate;

  @Option(names = "--step-seconds", defaultValue = "20", paramLabel = "SECONDS",
      description = "Length of each ramp step (default: ${DEFAULT-VALUE}).")
  int stepSeconds;

  @Option(names = "--latency-bound-ms", defaultValue = "5000", paramLabel = "MS",
      description = "A step with a higher p99 latency is not sustained (default: ${DEFAULT-VALUE}).")
  long latencyBoundMs;

  @Option(names = "--stream-threads", defaultValue = "1", description = "Kafka Streams threads of the local filter (default: ${DEFAULT-VALUE}).")
  int streamThreads;

  @Option(names = "--batch-size", defaultValue = "256", description = "Local filter's batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the local data topics (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Drive a filter that runs on this cluster instead of starting one here.")
  String bootstrapServers;

  @Option(names = "--topic-prefix", defaultValue = TopicNames.DEFAULT_PREFIX,
      description = "With --bootstrap-servers: the pipeline's topic prefix (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--application-id", defaultValue = FilterConfig.DEFAULT_APPLICATION_ID,
      description = "With --bootstrap-servers: the filter's application id, whose lag is read (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the steps as JSON.")
  Path json;

  @Override
  public Integer call() throws Exception {
    if (!ramp && !(data.rate > 0)) {
      throw new IllegalArgumentException("give --rate R (records/s) for a fixed-rate run, or --ramp");
    }
    FashionMnist.Split train = data.loadTrain();
    PoisonedTrainingSet images = data.trainingSet(train, data.limit);
    int distinct = images.size();
    if (bootstrapServers != null) {
      return drive(bootstrapServers, new TopicNames(topicPrefix), applicationId, images, null);
    }
    Path work = Files.createTempDirectory("sieve-loadtest");
    TopicNames topics = new TopicNames("load.");
    try (PretrainedVictim victim = PretrainedVictim.train(images.samples().subList(0, Math.min(10_000, distinct)),
        work, System.out);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      ClusterOptions.ensureTopicsWith(broker.bootstrapServers(), topics, partitions, Map.of());
      victim.publish(broker.bootstrapServers(), topics, work.resolve("victim"), "sieve-loadtest", Map.of());
      PrometheusMeterRegistry meters = Meters.prometheus("stream");
      FilterConfig filter = FilterConfig.defaults(topics).withApplicationId("sieve-loadtest").withBatchSize(batchSize)
          .withDataset(data.builtIn().descriptor());
      try (FilterApp app = new FilterApp(broker.bootstrapServers(), filter, work.resolve("state"), null,
          SplitPolicies.defaultPolicy(), Map.of("num.stream.threads", Integer.toString(streamThreads)),
          ModelTrust.within(work.resolve("victim")), meters, Duration.ofHours(1), Long.MAX_VALUE).start()) {
        System.out.printf("filter: %d stream thread(s), batch %d, %d partitions, exactly-once; embedded broker %s%n",
            streamThreads, batchSize, partitions, broker.bootstrapServers());
        return drive(broker.bootstrapServers(), topics, filter.applicationId(), images, batchSizes(meters));
      }
    }
  }

  private int drive(String bootstrap, TopicNames topics, String group, PoisonedTrainingSet images,
      LoadTest.BatchSizes batches) throws Exception {
    try (TimedLoad load = new TimedLoad(data.producerConfig(bootstrap, topics), images,
            "load-" + UUID.randomUUID().toString().substring(0, 8));
        VerdictLatency latency = new VerdictLatency(bootstrap, topics, Map.of());
        GroupLag lag = new GroupLag(bootstrap, group, topics.samples(), Map.of())) {
      LoadTest test = new LoadTest(load, latency, lag, batches, Duration.ofMillis(latencyBoundMs),
          Duration.ofSeconds(60), System.err);
      List<LoadTest.Step> steps = new ArrayList<>();
      if (ramp) {
        System.out.printf("ramp: from %.0f/s by x%.2f, %d s per step, sustained = every verdict in, lag < 2 s of"
            + " records, p99 <= %d ms%n", startRate, factor, stepSeconds, latencyBoundMs);
        steps.addAll(test.ramp(startRate, factor, maxRate, Duration.ofSeconds(stepSeconds), () -> true));
        steps.stream().filter(LoadTest.Step::sustained).reduce((a, b) -> b).ifPresentOrElse(
            s -> System.out.printf("highest sustained rate: %.0f records/s (%.2f MB/s), p99 %d ms%n",
                s.sentRate(), s.megabytesPerSecond(), s.p99Ms()),
            () -> System.out.println("no step was sustained; try a lower --start-rate"));
      } else {
        LoadTest.Step s = test.step(data.rate, Duration.ofSeconds(durationSeconds));
        steps.add(s);
        System.out.println(s.line());
      }
      System.out.println(steps.get(steps.size() - 1).batchLine());
      if (json != null) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LoadTest.Step s : steps) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("targetRate", s.targetRate());
          row.put("sentRate", s.sentRate());
          row.put("verdictRate", s.verdictRate());
          row.put("megabytesPerSecond", s.megabytesPerSecond());
          row.put("latencyMs", Map.of("p50", s.p50Ms(), "p95", s.p95Ms(), "p99", s.p99Ms(), "max", s.maxMs()));
          row.put("lag", Map.of("max", s.maxLag(), "end", s.endLag()));
          row.put("batchSizeBounds", s.batchBounds());
          row.put("batchSizeCounts", s.batchSizeCounts());
          row.put("sustained", s.sustained());
          rows.add(row);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), rows);
      }
    }
    return 0;
  }

  /** The local filter's batch sizes, read from its {@code sieve.batch.size} buckets. */
  private static LoadTest.BatchSizes batchSizes(PrometheusMeterRegistry meters) {
    return new LoadTest.BatchSizes() {
      @Override
      public double[] cumulativeCounts() {
        CountAtBucket[] buckets = meters.get("sieve.batch.size").summary().takeSnapshot().histogramCounts();
        double[] out = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
          out[i] = buckets[i].count();
        }
        return out;
      }

      @Override
      public double[] bounds() {
        return MicrometerFilterMetrics.BATCH_SIZE_BUCKETS.clone();
      }
    };
  }
}

package dev.sieve.cli;

import dev.sieve.ops.Meters;
import dev.sieve.ops.MetricsServer;
import dev.sieve.stream.app.FilterApp;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.wire.TopicNames;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stream", mixinStandardHelpOptions = true,
    description = {
        "Run the filter against a Kafka cluster until interrupted.",
        "Reads <prefix>samples, writes verdicts to <prefix>credible and <prefix>quarantine and bad records",
        "to <prefix>dead-letter, exactly once. Unless --no-victim-updater is given, this instance also trains",
        "the Victim and publishes its versions to <prefix>victim-models; run exactly one such instance per",
        "pipeline and scale out with --no-victim-updater instances (up to one per partition)."})
final class StreamCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @Mixin FilterOptions filter;
  @Mixin MetricsOptions metrics;

  static final int DEFAULT_METRICS_PORT = 9400;

  @Option(names = "--application-id", defaultValue = FilterConfig.DEFAULT_APPLICATION_ID,
      description = "Kafka Streams application id (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--state-dir", defaultValue = ".sieve/state", description = "Kafka Streams state directory (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--checkpoint-dir", defaultValue = ".sieve/checkpoints/victim",
      description = "Where Victim checkpoints are written; stream instances must be able to read it (default: ${DEFAULT-VALUE}).")
  Path checkpointDir;

  @Option(names = "--no-victim-updater", description = "Only filter; take Victim versions from the victim-models topic.")
  boolean noUpdater;

  @Override
  public Integer call() throws Exception {
    String bootstrap = cluster.bootstrap();
    TopicNames topics = cluster.topics();
    cluster.ensureTopics(bootstrap, topics);
    PrometheusMeterRegistry meters = Meters.prometheus("stream");
    FilterApp app = new FilterApp(bootstrap, filter.filterConfig(topics, applicationId), stateDir,
        noUpdater ? null : filter.updaterConfig(topics, checkpointDir), filter.splitPolicy(),
        cluster.clientOverrides(), meters);
    MetricsServer server = metrics.start(DEFAULT_METRICS_PORT, meters, app::health);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      if (server != null) {
        server.close();
      }
      stopped.countDown();
    }, "sieve-shutdown"));
    app.start();
    System.err.printf("sieve stream: filtering %s on %s (Ctrl-C to stop)%n", topics.samples(), bootstrap);
    stopped.await();
    return 0;
  }
}

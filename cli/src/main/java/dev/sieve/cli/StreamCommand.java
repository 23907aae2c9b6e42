package dev.sieve.cli;

import dev.sieve.ops.Meters;
import dev.sieve.ops.MetricsServer;
import dev.sieve.stream.app.FilterApp;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.wire.TopicNames;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stream", mixinStandardHelpOptions = true,
    description = {
        "Run the filter against a Kafka cluster until interrupted.",
        "Reads <prefix>samples, writes verdicts to <prefix>credible and <prefix>quarantine and bad records",
        "to <prefix>dead-letter, exactly once; when a newer Victim calls a released sample suspect, a Retraction",
        "goes to <prefix>retractions. Unless --no-victim-updater is given, this instance also trains",
        "the Victim and publishes its versions to <prefix>victim-models; run exactly one such instance per",
        "pipeline and scale out with --no-victim-updater instances (up to one per partition)."})
final class StreamCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @Mixin FilterOptions filter;
  @Mixin MetricsOptions metrics;
  @Mixin ModelTrustOptions trust;

  static final int DEFAULT_METRICS_PORT = 9400;

  @Option(names = "--application-id", defaultValue = FilterConfig.DEFAULT_APPLICATION_ID,
      description = "Kafka Streams application id (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--state-dir", defaultValue = ".sieve/state", description = "Kafka Streams state directory (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--checkpoint-dir", defaultValue = ".sieve/checkpoints/victim",
      description = "Where Victim checkpoints are written; every stream instance must be able to read it, and reads "
          + "only published checkpoints inside it (default: ${DEFAULT-VALUE}).")
  Path checkpointDir;

  @Option(names = "--no-victim-updater", description = "Only filter; take Victim versions from the victim-models topic.")
  boolean noUpdater;

  @Option(names = "--first-victim-timeout-s", defaultValue = "3600", paramLabel = "S",
      description = "/health answers 503 once samples have waited this long for a first Victim version (default: ${DEFAULT-VALUE}).")
  long firstVictimTimeoutSeconds;

  @Option(names = "--victim-stale-after", defaultValue = "100000", paramLabel = "N",
      description = "/health answers 503 once one Victim version has judged this many samples here with no newer one "
          + "(default: ${DEFAULT-VALUE}, ten rounds of the default --retrain-every).")
  long victimStaleAfter;

  @Override
  public Integer call() throws Exception {
    String bootstrap = cluster.bootstrap();
    TopicNames topics = cluster.topics();
    cluster.ensureTopics(bootstrap, topics);
    PrometheusMeterRegistry meters = Meters.prometheus("stream");
    // Every instance trusts the directory the updater writes to: a shared volume in a cluster.
    FilterApp app = new FilterApp(bootstrap,
        filter.filterConfig(topics, applicationId).withMaxRecordBytes(cluster.maxRecordBytes), stateDir,
        noUpdater ? null : filter.updaterConfig(topics, checkpointDir), filter.splitPolicy(),
        cluster.clientOverrides(), trust.trust(checkpointDir), meters, Duration.ofSeconds(firstVictimTimeoutSeconds),
        victimStaleAfter);
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

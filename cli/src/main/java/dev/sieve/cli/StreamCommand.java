package dev.sieve.cli;

import dev.sieve.model.Architecture;
import dev.sieve.model.checkpoint.CheckpointException;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.ops.Meters;
import dev.sieve.ops.MetricsServer;
import dev.sieve.stream.app.FilterApp;
import dev.sieve.stream.app.StreamsProperties;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.wire.DatasetDescriptor;
import dev.sieve.wire.TopicNames;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
  @Mixin DatasetOptions dataset;
  @Mixin ArchitectureOptions architecture;
  @Mixin DeviceOptions device;

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

  @Option(names = "--initial-victim", paramLabel = "CHECKPOINT",
      description = {"Judge with this checkpoint from the first batch instead of releasing nothing until the "
          + "Victim updater's first version (which needs its head, --warmup-samples). It is installed as Victim v0 "
          + "and judges until the first published version replaces it; that version re-judges what it released "
          + "(--retraction-window). A Victim checkpoint (a previous deployment's --checkpoint-dir) judges with "
          + "the split stored in it. A checkpoint without a split (a Beneficiary's, from sieve train or sieve "
          + "replay) calls nothing suspect: every sample is released until the first version, since an entropy "
          + "split only holds for the weights it was fitted on. The file needs its .sha256 sidecar and the "
          + "Victim's architecture; it is not signature-checked, naming it is the operator's choice."})
  Path initialVictim;

  @Option(names = "--standby-replicas", defaultValue = "0", paramLabel = "N",
      description = {"Kafka Streams standby replicas (num.standby.replicas): each task's state (the sample buffer, "
          + "the seen ids, the released samples) is kept warm on N other instances of the application, so that when "
          + "an instance dies its partitions move to one that need not restore that state from the changelogs first. "
          + "Each standby costs its instance the changelog reads and RocksDB writes of the copy; with one instance "
          + "there is nowhere to put one. Measured in docs/measurements.md (default: ${DEFAULT-VALUE})."})
  int standbyReplicas;

  @Option(names = "--progress-every-s", defaultValue = "10", paramLabel = "S",
      description = "How often the state line (the /health detail: which Victim judges, or what the filter waits "
          + "for) is printed to stderr when it has changed; 0 prints none (default: ${DEFAULT-VALUE}).")
  long progressEverySeconds;

  @Override
  public Integer call() throws Exception {
    device.use("stream", System.err);
    try (OrderlyShutdown shutdown = OrderlyShutdown.install("stream")) {
      CountDownLatch stopRequested = new CountDownLatch(1);
      shutdown.stopWith(stopRequested::countDown);
      // Refused before any connection: a wrong file should not wait for a broker to say so.
      DatasetDescriptor shape = noUpdater ? dataset.descriptor() : dataset.checkAgainst(checkpointDir);
      if (!noUpdater) {
        architecture.checkAgainst(checkpointDir, VictimUpdaterConfig.DEFAULT_MODEL_ID, shape);
      }
      VictimModel initial = initialVictim == null ? null : loadInitialVictim();
      String bootstrap = cluster.bootstrap();
      TopicNames topics = cluster.topics();
      cluster.ensureTopics(bootstrap, topics);
      if (!noUpdater) {
        dataset.recordIn(checkpointDir); // next to the checkpoints the updater is about to write
      }
      PrometheusMeterRegistry meters = Meters.prometheus("stream");
      // Every instance trusts the directory the updater writes to: a shared volume in a cluster.
      // Closed in reverse order: the progress ticker, the metrics server (it reads the app's
      // health), then the app, which stops Kafka Streams and joins the Victim updater before
      // it frees any Victim.
      FilterApp app = new FilterApp(bootstrap,
          filter.filterConfig(topics, applicationId).withMaxRecordBytes(cluster.maxRecordBytes).withDataset(shape),
          stateDir,
          noUpdater ? null : filter.updaterConfig(topics, checkpointDir).withFamily(architecture.family),
          filter.splitPolicy(),
          streamsOverrides(), trust.trust(checkpointDir), meters, Duration.ofSeconds(firstVictimTimeoutSeconds),
          victimStaleAfter);
      try (app;
          MetricsServer server = startApp(app, initial, meters);
          Ticker progress = progressEverySeconds > 0 ? startProgress(app) : null) {
        System.err.printf("sieve stream: filtering %s on %s, images %s (Ctrl-C to stop)%n", topics.samples(),
            bootstrap, shape.describeShape());
        stopRequested.await();
      }
      // A thread that outlived close() keeps its Victim (leaked, not freed under it); the stop
      // was not orderly, and the exit status says so.
      if (!app.stoppedCleanly()) {
        throw new IllegalStateException("a filter thread was still running after close: " + app.stopProblems());
      }
      return 0;
    }
  }

  /** The --client-config settings with --standby-replicas ({@link StreamsProperties#withStandbyReplicas}). */
  Map<String, String> streamsOverrides() {
    return StreamsProperties.withStandbyReplicas(cluster.clientOverrides(), standbyReplicas);
  }

  private MetricsServer startApp(FilterApp app, VictimModel initial, PrometheusMeterRegistry meters) {
    if (initial != null) {
      app.installInitialVictim(initial);
    }
    MetricsServer server = metrics.start(DEFAULT_METRICS_PORT, meters, app::health);
    try {
      app.start();
    } catch (RuntimeException e) {
      if (server != null) {
        server.close();
      }
      throw e;
    }
    return server;
  }

  private VictimModel loadInitialVictim() {
    try {
      Architecture victim = architecture.forDataset(dataset.descriptor());
      VictimModel initial = trust.trust(checkpointDir).withDataset(dataset.descriptor())
          .loadInitial(initialVictim, victim);
      System.err.printf("sieve stream: initial Victim %s judges until the first Victim version, %s%n",
          initial.modelId(), initial.split().equals(SplitRule.none(victim.numClasses()))
              ? "calling nothing suspect (the checkpoint holds no split): every sample is released until then"
              : "with the split stored in the checkpoint");
      return initial;
    } catch (CheckpointException e) {
      throw new IllegalArgumentException("--initial-victim refused: " + e.getMessage(), e);
    }
  }

  /**
   * Prints the filter's state line whenever it changed, at most every --progress-every-s: on a
   * quiet stream this is where an operator sees that nothing is released yet, and why.
   */
  private Ticker startProgress(FilterApp app) {
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sieve-stream-progress");
      t.setDaemon(true);
      return t;
    });
    AtomicReference<String> last = new AtomicReference<>("");
    ticker.scheduleAtFixedRate(() -> {
      String line = app.health().detail();
      if (!line.equals(last.getAndSet(line))) {
        System.err.println("sieve stream: " + line);
      }
    }, progressEverySeconds, progressEverySeconds, TimeUnit.SECONDS);
    return new Ticker(ticker);
  }

  /** The progress ticker, stopped and joined before the app it reads is closed. */
  private record Ticker(ScheduledExecutorService executor) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      executor.shutdownNow();
      executor.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}

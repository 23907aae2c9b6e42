package dev.sieve.cli;

import dev.sieve.data.BuiltInDataset;
import dev.sieve.data.FashionMnist;
import dev.sieve.model.Architecture;
import dev.sieve.pipeline.DemoRun;
import dev.sieve.pipeline.DemoSummary;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.ui.AccessTokens;
import dev.sieve.ui.QuarantineView;
import dev.sieve.ui.UiConfig;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Run the whole system once, end to end, with real data:",
        "an embedded Kafka broker (unless --bootstrap-servers is given), the filter with its Victim updater,",
        "the Beneficiary trainer, a backdoor-poisoned Fashion-MNIST producer (--attack) and the evaluator.",
        "Prints progress while it runs and ends with a summary (also as JSON with --summary).",
        "With --ui it also serves the quarantine web view (as `sieve ui` does) and, as with --keep-running,",
        "keeps the broker and the view up after the summary until Ctrl-C, for a look around."})
final class DemoCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @Mixin ModelTrustOptions trust;
  @Mixin DataOptions data;
  @Mixin FilterOptions filter;
  @Mixin ArchitectureOptions architecture;

  @Option(names = "--summary", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
  Path summaryFile;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where checkpoints and stream state go (default: .sieve/demo/<timestamp>).")
  Path workDir;

  @Option(names = "--final-epochs", defaultValue = "2", paramLabel = "N",
      description = "Extra Beneficiary epochs over its window once the stream is drained (default: ${DEFAULT-VALUE}).")
  int finalEpochs;

  @Option(names = "--timeout-s", defaultValue = "1800", paramLabel = "S",
      description = "Give up waiting for verdicts after this many seconds (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = "--ui",
      description = "Also serve the quarantine web view on the demo's cluster while it runs, as `sieve ui` does "
          + "(its token: $" + AccessTokens.ENV_VAR + ", else generated into " + UiCommand.DEFAULT_GENERATED_TOKEN_FILE
          + "); implies --keep-running.")
  boolean ui;

  @Option(names = "--ui-port", defaultValue = "" + UiConfig.DEFAULT_PORT, paramLabel = "PORT",
      description = "Port of the --ui view on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int uiPort;

  @Option(names = "--keep-running",
      description = "After the summary, keep the embedded broker (and the --ui view) up until Ctrl-C.")
  boolean keepRunning;

  /** Partitions of the demo's topics unless --partitions says otherwise: enough for two filter tasks. */
  private static final int DEMO_PARTITIONS = 2;

  @Override
  public Integer call() throws Exception {
    try (OrderlyShutdown shutdown = OrderlyShutdown.install("demo")) {
      return demo(shutdown);
    }
  }

  private int demo(OrderlyShutdown shutdown) throws Exception {
    boolean external = cluster.bootstrapServers != null && !cluster.bootstrapServers.isBlank();
    if (!external && cluster.clientConfig != null) {
      throw new IllegalArgumentException("--client-config needs --bootstrap-servers: without it the demo starts its own"
          + " embedded broker, which is open (PLAINTEXT) and takes no client security settings");
    }
    boolean keepUp = keepRunning || ui;
    if (keepUp && external && !ui) {
      throw new IllegalArgumentException("--keep-running keeps the demo's embedded broker and its --ui view up; with"
          + " --bootstrap-servers and without --ui there is nothing of the demo's to keep");
    }
    // Checks --attack with --poison-rate and --target-label before a broker starts.
    data.poisoning();
    BuiltInDataset dataset = data.builtIn();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path dir = workDir != null ? workDir : Path.of(".sieve", "demo", stamp);
    Files.createDirectories(dir);
    Path dataDir = FashionMnist.resolveDir(data.dataDir);
    // The Victim and the Beneficiary are of the one --architecture, for the data set's shape; a
    // --work-dir of an earlier run with another one is refused before anything starts.
    Path victimDir = dir.resolve("checkpoints").resolve("victim");
    Path beneficiaryDir = dir.resolve("checkpoints").resolve("beneficiary");
    architecture.checkAgainst(victimDir, VictimUpdaterConfig.DEFAULT_MODEL_ID, dataset.descriptor());
    Architecture models = architecture.checkAgainst(beneficiaryDir, BeneficiaryConfig.DEFAULT_MODEL_ID,
        dataset.descriptor());
    // On a shared cluster each demo run gets its own topics, so earlier runs cannot leak into its numbers.
    TopicNames topics = external && TopicNames.DEFAULT_PREFIX.equals(cluster.topicPrefix)
        ? new TopicNames("sieve.demo-" + stamp + ".") : cluster.topics();
    // The demo signs and checks every model version, as a deployment with a key does; without a
    // key of the user's it makes one for this run.
    ModelSigningKey key = ModelSigningKey.resolve(trust.signingKeyFile).orElseGet(ModelSigningKey::generate);
    System.out.println("model versions are signed with key " + key.id()
        + (trust.signingKeyFile == null && System.getenv(ModelSigningKey.ENV_VAR) == null ? " (made for this run)" : ""));
    int partitions = cluster.partitions == null ? DEMO_PARTITIONS : cluster.partitions;
    DemoRun.Cluster demoCluster = DemoRun.Cluster.embeddedIfNeeded(external ? cluster.bootstrap() : null, System.out);
    AtomicReference<QuarantineView> view = new AtomicReference<>();
    try {
      String bootstrap = demoCluster.bootstrapServers();
      if (ui) {
        // Before the stream starts, so that a person watches quarantine fill up live.
        UiCommand viewer = UiCommand.withDefaults(cluster, uiPort, DatasetOptions.fixed(dataset.descriptor()));
        view.set(viewer.start(bootstrap, topics, DEMO_PARTITIONS, System.out));
        System.out.printf("quarantine view: %s (%s)%n", view.get().url(), viewer.whereTheTokenIs(System::getenv));
      }
      DemoRun run = new DemoRun(System.out);
      // SIGTERM or Ctrl-C: the run stops waiting, closes the filter and the Beneficiary (joining
      // their threads, which may be inside libtorch), and the finally below closes the broker.
      shutdown.stopWith(run::stop);
      DemoRun.Outcome outcome;
      try {
        outcome = run.run(new DemoRun.Config(bootstrap, topics, partitions, dir,
            dataDir, data.producerConfig(bootstrap, topics),
            filter.filterConfig(topics, "sieve-demo-" + stamp).withMaxRecordBytes(cluster.maxRecordBytes)
                .withDataset(dataset.descriptor()),
            filter.updaterConfig(topics, victimDir, data.limit, System.out).withFamily(models.family()),
            filter.splitPolicy(),
            BeneficiaryConfig.defaults(bootstrap, beneficiaryDir).withTopics(topics)
                .withGroupId("sieve-demo-beneficiary-" + stamp).withArchitecture(models),
            Duration.ofSeconds(8), finalEpochs, Duration.ofSeconds(timeoutSeconds), cluster.clientOverrides(),
            Optional.of(key), dataset));
      } catch (CancellationException stopped) {
        System.out.println("sieve demo: " + stopped.getMessage() + "; nothing was measured");
        return 0;
      }
      DemoSummary summary = outcome.summary();
      System.out.println();
      System.out.print(summary.table());
      if (summaryFile != null) {
        summary.writeJson(summaryFile);
        System.out.println("summary written to " + summaryFile.toAbsolutePath());
      }
      if (keepUp) {
        keepRunningUntilStopped(shutdown, demoCluster, topics, view.get());
      }
      return summary.duplicates() == 0 && summary.in() == summary.credible() + summary.quarantine() + summary.deadLetter() ? 0 : 1;
    } finally {
      Optional.ofNullable(view.get()).ifPresent(QuarantineView::close);
      demoCluster.close();
    }
  }

  /**
   * Blocks until SIGINT or SIGTERM; the caller's finally then closes the view and the broker, and
   * the process exits with the summary's status (0 when every sample was accounted for).
   */
  private static void keepRunningUntilStopped(OrderlyShutdown shutdown, DemoRun.Cluster demoCluster,
      TopicNames topics, QuarantineView view) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    shutdown.stopWith(stopped::countDown);
    List<String> running = new ArrayList<>();
    if (demoCluster.embedded()) {
      running.add("the broker at " + demoCluster.bootstrapServers() + " (topics " + topics.prefix() + "*)");
    }
    if (view != null) {
      running.add("the quarantine view at " + view.url());
    }
    System.out.println();
    System.out.println("the demo is done; " + String.join(" and ", running)
        + (running.size() == 1 ? " keeps" : " keep") + " running until Ctrl-C");
    if (view == null) {
      System.out.println("look at the quarantine with: ./sieve ui --bootstrap-servers " + demoCluster.bootstrapServers()
          + " --topic-prefix " + topics.prefix());
    }
    stopped.await();
  }
}

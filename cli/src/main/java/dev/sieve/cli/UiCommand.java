package dev.sieve.cli;

import dev.sieve.ui.AccessTokens;
import dev.sieve.ui.QuarantineIndex;
import dev.sieve.ui.QuarantineView;
import dev.sieve.ui.UiConfig;
import dev.sieve.wire.TopicNames;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ui", mixinStandardHelpOptions = true,
    description = {
        "Serve the quarantine web view until interrupted: the quarantined samples live (thumbnails, label,",
        "entropy, score, Victim version, reason), filters by class and time, and the quarantine rate per class.",
        "Everything but the page itself needs a token: seeing samples as much as acting on them. A reviewer can",
        "Release a sample to <prefix>credible, Confirm it as poisoned, or Relabel it; each action is an",
        "AuditRecord on <prefix>audit (who, when, why), written in one Kafka transaction with the credible",
        "verdict it adds. Listens on 127.0.0.1 unless --bind says otherwise, and answers only requests whose",
        "Host header names an allowed host (--allowed-host)."})
final class UiCommand implements Callable<Integer> {

  /** Where a generated token goes unless --generated-token-file says otherwise; relative to the working directory. */
  static final String DEFAULT_GENERATED_TOKEN_FILE = ".sieve/ui-token";

  @Mixin ClusterOptions cluster;
  @Mixin DatasetOptions dataset = new DatasetOptions();

  @Option(names = "--port", defaultValue = "" + UiConfig.DEFAULT_PORT, paramLabel = "PORT",
      description = "Port to serve the view on (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int port;

  @Option(names = "--bind", defaultValue = UiConfig.DEFAULT_BIND, paramLabel = "ADDR",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 opens it to the network).")
  String bind;

  @Option(names = "--allowed-host", paramLabel = "HOST",
      description = "A host name (no port) that requests may carry in their Host header; repeat for several. "
          + "Replaces the default: localhost, 127.0.0.1, [::1] and the --bind address unless it is a wildcard "
          + "(0.0.0.0, ::). Give the name people type in the browser, e.g. that of a proxy in front.")
  List<String> allowedHosts = new ArrayList<>();

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "Tokens allowed to see and act, one per line as name:token (the name goes into the audit "
          + "record). Without it: $" + AccessTokens.ENV_VAR + ", else a random token written to "
          + "--generated-token-file.")
  Path tokenFile;

  @Option(names = "--generated-token-file", defaultValue = DEFAULT_GENERATED_TOKEN_FILE, paramLabel = "FILE",
      description = "Where a generated token is written, readable by this user only (rw-------), replacing the "
          + "one of an earlier run; the token itself is never printed (default: ${DEFAULT-VALUE}).")
  Path generatedTokenFile;

  @Option(names = "--user", defaultValue = AccessTokens.DEFAULT_USER, paramLabel = "NAME",
      description = "Who acts with the $" + AccessTokens.ENV_VAR + " or generated token (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(names = "--capacity", defaultValue = "" + QuarantineIndex.DEFAULT_CAPACITY, paramLabel = "N",
      description = "How many of the newest quarantined samples the view holds in memory (default: ${DEFAULT-VALUE}).")
  int capacity;

  /**
   * {@code sieve ui} with its defaults on another command's cluster: the view that
   * {@code sieve demo --ui} serves, built the same way.
   */
  static UiCommand withDefaults(ClusterOptions cluster, int port, DatasetOptions dataset) {
    UiCommand ui = new UiCommand();
    ui.cluster = cluster;
    ui.dataset = dataset;
    ui.port = port;
    ui.bind = UiConfig.DEFAULT_BIND;
    ui.generatedTokenFile = Path.of(DEFAULT_GENERATED_TOKEN_FILE);
    ui.user = AccessTokens.DEFAULT_USER;
    ui.capacity = QuarantineIndex.DEFAULT_CAPACITY;
    return ui;
  }

  @Override
  public Integer call() throws Exception {
    try (OrderlyShutdown shutdown = OrderlyShutdown.install("ui")) {
      return serve(shutdown);
    }
  }

  private int serve(OrderlyShutdown shutdown) throws InterruptedException {
    String bootstrap = cluster.bootstrap();
    TopicNames topics = cluster.topics();
    CountDownLatch stopRequested = new CountDownLatch(1);
    shutdown.stopWith(stopRequested::countDown);
    try (QuarantineView view = start(bootstrap, topics, ClusterOptions.DEFAULT_PARTITIONS, System.err)) {
      System.err.printf("sieve ui: %s (quarantine view of %s on %s; Ctrl-C to stop)%n",
          view.url(), topics.quarantine(), bootstrap);
      stopRequested.await();
    }
    return 0;
  }

  /**
   * Starts the view of {@code topics} on {@code bootstrap}, creating missing topics with
   * {@code defaultPartitions} unless --partitions says otherwise; the caller closes it.
   */
  QuarantineView start(String bootstrap, TopicNames topics, int defaultPartitions, PrintStream err) {
    // Tokens and the configuration first: a token file that cannot be written safely, or a bad
    // --allowed-host, is refused before any connection to Kafka.
    AccessTokens tokens = tokens(System::getenv, err);
    UiConfig config = config(bootstrap, topics, tokens);
    // Creates the audit topic on a cluster set up before it existed.
    cluster.ensureTopics(bootstrap, topics, defaultPartitions);
    return QuarantineView.start(config);
  }

  /**
   * Where the token that {@link #tokens} chose can be found, for a person who has to paste it into
   * the page; like {@link #tokens}, it never contains a token.
   */
  String whereTheTokenIs(UnaryOperator<String> env) {
    if (tokenFile != null) {
      return "tokens in " + tokenFile.toAbsolutePath();
    }
    String fromEnv = env.apply(AccessTokens.ENV_VAR);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return "token in $" + AccessTokens.ENV_VAR;
    }
    return "token in " + generatedTokenFile.toAbsolutePath() + " (cat it and paste it into the page)";
  }

  UiConfig config(String bootstrap, TopicNames topics, AccessTokens tokens) {
    return UiConfig.defaults(bootstrap, topics, tokens)
        .withClientOverrides(cluster.clientOverrides())
        .withListen(bind, port)
        .withAllowedHosts(allowedHosts)
        .withCapacity(capacity)
        .withClassNames(dataset.descriptor().classNames());
  }

  /**
   * The tokens from --token-file, else $SIEVE_UI_TOKEN, else a generated one written to
   * --generated-token-file. A generated token is never printed: stderr ends up in container and
   * service logs, which more people read than may review samples.
   */
  AccessTokens tokens(UnaryOperator<String> env, PrintStream err) {
    if (tokenFile != null) {
      return AccessTokens.fromFile(tokenFile);
    }
    String fromEnv = env.apply(AccessTokens.ENV_VAR);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return AccessTokens.single(user, fromEnv.strip());
    }
    String generated;
    try {
      generated = AccessTokens.writeGeneratedToken(generatedTokenFile);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + ". Choose another --generated-token-file, or give the "
          + "token yourself with --token-file or $" + AccessTokens.ENV_VAR, e);
    }
    err.printf("sieve ui: no --token-file and no $%s; generated a token for %s into %s (readable by this user only)%n",
        AccessTokens.ENV_VAR, user, generatedTokenFile.toAbsolutePath());
    return AccessTokens.single(user, generated);
  }
}

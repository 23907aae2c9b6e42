package dev.sieve.cli;

import dev.sieve.ui.AccessTokens;
import dev.sieve.ui.QuarantineIndex;
import dev.sieve.ui.QuarantineView;
import dev.sieve.ui.UiConfig;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ui", mixinStandardHelpOptions = true,
    description = {
        "Serve the quarantine web view until interrupted: the quarantined samples live (thumbnails, label,",
        "entropy, score, Victim version, reason), filters by class and time, and the quarantine rate per class.",
        "A reviewer with a token can Release a sample to <prefix>credible, Confirm it as poisoned, or Relabel it;",
        "each action is an AuditRecord on <prefix>audit (who, when, why), written in one Kafka transaction with",
        "the credible verdict it adds. Listens on 127.0.0.1 unless --bind says otherwise."})
final class UiCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;

  @Option(names = "--port", defaultValue = "" + UiConfig.DEFAULT_PORT, paramLabel = "PORT",
      description = "Port to serve the view on (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int port;

  @Option(names = "--bind", defaultValue = UiConfig.DEFAULT_BIND, paramLabel = "ADDR",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 opens it to the network).")
  String bind;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "Tokens allowed to act, one per line as name:token (the name goes into the audit record). "
          + "Without it: $" + AccessTokens.ENV_VAR + ", else a random token printed once at start-up.")
  Path tokenFile;

  @Option(names = "--user", defaultValue = AccessTokens.DEFAULT_USER, paramLabel = "NAME",
      description = "Who acts with the $" + AccessTokens.ENV_VAR + " or generated token (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(names = "--capacity", defaultValue = "" + QuarantineIndex.DEFAULT_CAPACITY, paramLabel = "N",
      description = "How many of the newest quarantined samples the view holds in memory (default: ${DEFAULT-VALUE}).")
  int capacity;

  @Override
  public Integer call() throws Exception {
    String bootstrap = cluster.bootstrap();
    TopicNames topics = cluster.topics();
    // Creates the audit topic on a cluster set up before it existed.
    cluster.ensureTopics(bootstrap, topics);
    AccessTokens tokens = tokens();
    UiConfig config = UiConfig.defaults(bootstrap, topics, tokens)
        .withClientOverrides(cluster.clientOverrides())
        .withListen(bind, port)
        .withCapacity(capacity);
    QuarantineView view = QuarantineView.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      view.close();
      stopped.countDown();
    }, "sieve-shutdown"));
    System.err.printf("sieve ui: %s (quarantine view of %s on %s; Ctrl-C to stop)%n",
        view.url(), topics.quarantine(), bootstrap);
    stopped.await();
    return 0;
  }

  private AccessTokens tokens() {
    if (tokenFile != null) {
      return AccessTokens.fromFile(tokenFile);
    }
    String fromEnv = System.getenv(AccessTokens.ENV_VAR);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return AccessTokens.single(user, fromEnv.strip());
    }
    String generated = AccessTokens.generateToken();
    System.err.printf("sieve ui: no --token-file and no $%s; actions need this token (shown once): %s%n",
        AccessTokens.ENV_VAR, generated);
    return AccessTokens.single(user, generated);
  }
}

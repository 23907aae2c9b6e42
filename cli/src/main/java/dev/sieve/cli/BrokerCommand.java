package dev.sieve.cli;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
    description = {
        // Lines kept under 80 columns: picocli wraps at 80, and this text is the warning.
        "Run a local Kafka broker with Sieve's topics until Ctrl-C, for trying the",
        "pieces one by one: stream, train, produce and ui in terminals of their own.",
        "A development convenience, not a production broker: one KRaft node that is",
        "its own controller, on 127.0.0.1 only, with no TLS, no authentication and",
        "one replica of everything. For a real cluster see the README, \"Pointing",
        "Sieve at a real cluster\"."})
final class BrokerCommand implements Callable<Integer> {

  /** Where the broker keeps its logs unless --data-dir says otherwise; relative to the working directory. */
  static final String DEFAULT_DATA_DIR = ".sieve/broker";

  @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
      description = "Port clients connect to on 127.0.0.1 (default: ${DEFAULT-VALUE}, Kafka's and the other "
          + "commands' default; 0 = any free port).")
  int port;

  @Option(names = "--data-dir", defaultValue = DEFAULT_DATA_DIR, paramLabel = "DIR",
      description = "Where the broker keeps its data; kept across runs, so topics and records survive a restart "
          + "(default: ${DEFAULT-VALUE}; delete it to start afresh).")
  Path dataDir;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = TopicNames.DEFAULT_PREFIX,
      description = "Prefix of the Sieve topics to create (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--partitions", defaultValue = "" + ClusterOptions.DEFAULT_PARTITIONS, paramLabel = "N",
      description = "Partitions of the data topics it creates (default: ${DEFAULT-VALUE}, as the other commands "
          + "create them). Existing topics are left as they are.")
  int partitions;

  @Override
  public Integer call() throws Exception {
    refuseATakenPort(port);
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir, port);
    CountDownLatch stopped = new CountDownLatch(1);
    // The hook stops the broker itself: the JVM halts once the hooks are done, and a broker that
    // finished its shutdown has flushed its logs and released its port for the next start.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();
      System.out.println("sieve broker: stopped; data kept in " + dataDir.toAbsolutePath());
      stopped.countDown();
    }, "sieve-shutdown"));
    String bootstrap = broker.bootstrapServers();
    TopicNames topics = new TopicNames(topicPrefix);
    ClusterOptions.ensureTopicsWith(bootstrap, topics, partitions, Map.of());
    for (String line : instructions(bootstrap, topics, dataDir)) {
      System.out.println(line);
    }
    stopped.await();
    return 0;
  }

  /**
   * A newcomer's 9092 is often taken by a Kafka of their own; the broker itself would say so only
   * in a stack trace of its acceptor threads, after seconds of start-up.
   */
  private static void refuseATakenPort(int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
    } catch (IOException e) {
      throw new IllegalArgumentException("port " + port + " on 127.0.0.1 is taken (" + e.getMessage()
          + "): is a Kafka broker running there already? Use it, or pick another --port");
    }
  }

  /** What the broker prints once it is ready: where it is, and the other commands pointed at it. */
  static List<String> instructions(String bootstrap, TopicNames topics, Path dataDir) {
    String cluster = "--bootstrap-servers " + bootstrap
        + (TopicNames.DEFAULT_PREFIX.equals(topics.prefix()) ? "" : " --topic-prefix " + topics.prefix());
    return List.of(
        "sieve broker: Kafka at " + bootstrap + " (bootstrap servers), topics " + topics.prefix() + "* ready,"
            + " data in " + dataDir.toAbsolutePath(),
        "A development convenience: one node, no security, 127.0.0.1 only. Ctrl-C stops it.",
        "",
        "Try the pieces, each in a terminal of its own:",
        "  ./sieve stream  " + cluster + "                # the filter and its Victim updater",
        "  ./sieve train   " + cluster + "                # the Beneficiary",
        "  ./sieve produce " + cluster + " --limit 20000  # 20,000 Fashion-MNIST samples, 10 % poisoned",
        "  ./sieve ui      " + cluster + "                # the quarantine view, token in "
            + UiCommand.DEFAULT_GENERATED_TOKEN_FILE,
        "or export SIEVE_BOOTSTRAP_SERVERS=" + bootstrap + " and leave --bootstrap-servers out.");
  }
}

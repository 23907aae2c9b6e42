package dev.sieve.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) listening on
 * 127.0.0.1. It is what {@code kafka-storage.sh format} followed by {@code kafka-server-start.sh}
 * would give, minus the separate JVM: clients talk to it over TCP exactly as to a cluster, and
 * transactions (so Kafka Streams exactly_once_v2) work on it.
 *
 * <p>Start-up returns only once the broker answers an Admin describeCluster, so a caller can
 * create topics and produce straight away.
 *
 * <p>{@link #startWithScram} starts it as a secured cluster would run: clients must log in with
 * SASL/SCRAM-SHA-512 (over plain TCP, as {@code SASL_PLAINTEXT}) and {@link #clientSecurity()}
 * gives the settings they need; a client without them is refused.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private static final int NODE_ID = 1;
  private static final String HOST = "127.0.0.1";
  /**
   * The listener clients and the broker itself use, on an open broker and on a SCRAM one; each is
   * named after its security protocol.
   */
  private static final String PLAINTEXT_LISTENER = "PLAINTEXT";
  private static final String SCRAM_LISTENER = "SASL_PLAINTEXT";
  /** The stronger of the two SCRAM mechanisms Kafka has; there is no reason to offer SHA-256 too. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
  /** User names and passwords go unquoted into the format arguments and the JAAS line. */
  private static final String SCRAM_TEXT = "[A-Za-z0-9._-]+";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
  /** A free port found by probing can be taken by someone else before the broker binds it. */
  private static final int MAX_PORT_ATTEMPTS = 3;

  static {
    BrokerLogging.quietByDefault();
  }

  private static EmbeddedKafkaBroker shared;

  private final KafkaRaftServer server;
  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int port;
  private final Map<String, String> clientSecurity;
  private boolean closed;

  private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean ownsDataDir, int port,
      Map<String, String> clientSecurity) {
    this.server = server;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.port = port;
    this.clientSecurity = clientSecurity;
  }

  /**
   * The one user of a SCRAM broker. Its credential is written into the metadata when the storage
   * is formatted, as {@code kafka-storage.sh format --add-scram} does: a KRaft broker cannot
   * authenticate anyone before a credential exists, and creating one needs an authenticated client.
   */
  private record ScramUser(String name, String password) {
    ScramUser {
      if (name == null || !name.matches(SCRAM_TEXT)) {
        throw new IllegalArgumentException("SCRAM user name must be non-empty " + SCRAM_TEXT + ", got '" + name + "'");
      }
      if (password == null || !password.matches(SCRAM_TEXT)) {
        throw new IllegalArgumentException("SCRAM password of user '" + name + "' must be non-empty " + SCRAM_TEXT
            + " (it goes unquoted into the JAAS config)");
      }
    }
  }

  /**
   * One broker per JVM, started on first use and stopped when the JVM exits: for test suites
   * whose classes keep to their own topic prefixes, since a KRaft broker takes seconds to start.
   */
  public static synchronized EmbeddedKafkaBroker shared() {
    if (shared == null) {
      shared = start();
      EmbeddedKafkaBroker started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-broker-shutdown"));
    }
    return shared;
  }

  /** Starts a broker in a fresh temporary directory on a free port; {@link #close} deletes it. */
  public static EmbeddedKafkaBroker start() {
    return startInTemporaryDirectory(null);
  }

  /**
   * Starts a broker in a fresh temporary directory on a free port that accepts only clients
   * logged in as {@code user} with {@code password} over SASL/SCRAM-SHA-512 ({@code SASL_PLAINTEXT});
   * {@link #clientSecurity()} has the client settings. Both must be {@code [A-Za-z0-9._-]+}.
   */
  public static EmbeddedKafkaBroker startWithScram(String user, String password) {
    return startInTemporaryDirectory(new ScramUser(user, password));
  }

  private static EmbeddedKafkaBroker startInTemporaryDirectory(ScramUser scram) {
    Path dir;
    try {
      dir = Files.createTempDirectory("sieve-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the embedded broker", e);
    }
    try {
      return start(dir, 0, Map.of(), true, scram);
    } catch (RuntimeException e) {
      deleteRecursively(dir);
      throw e;
    }
  }

  /**
   * Client settings that log in as {@code user} with {@code password} over SASL/SCRAM-SHA-512:
   * {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config}.
   */
  public static Map<String, String> scramClientSecurity(String user, String password) {
    return Map.of(
        CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name,
        SaslConfigs.SASL_MECHANISM, SCRAM_MECHANISM,
        SaslConfigs.SASL_JAAS_CONFIG, scramJaasConfig(user, password));
  }

  private static String scramJaasConfig(String user, String password) {
    return ScramLoginModule.class.getName() + " required username=\"" + user + "\" password=\"" + password + "\";";
  }

  /**
   * Starts a broker that keeps its logs in {@code dataDir} (created if missing, reused if already
   * formatted, never deleted) and listens on {@code port}, or on a free port if {@code port} is 0.
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int port) {
    return start(dataDir, port, Map.of());
  }

  /** As {@link #start(Path, int)}, with broker settings that override the single-node defaults. */
  public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) {
    return start(dataDir, port, overrides, false, null);
  }

  /** @param scram the one user clients must log in as, or null for an open PLAINTEXT broker */
  private static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides,
      boolean ownsDataDir, ScramUser scram) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("broker port must be in [0, 65535] (0 = any free port), got " + port);
    }
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create broker data directory " + dataDir, e);
    }
    int attempts = port == 0 ? MAX_PORT_ATTEMPTS : 1;
    RuntimeException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      int brokerPort = port == 0 ? freePort() : port;
      int controllerPort = freePort();
      while (controllerPort == brokerPort) {
        controllerPort = freePort();
      }
      try {
        return startOnce(dataDir, brokerPort, controllerPort, overrides, ownsDataDir, scram);
      } catch (RuntimeException e) {
        last = e;
        log.warn("embedded broker failed to start on port {} (attempt {}/{}): {}", brokerPort, attempt, attempts, e.toString());
      }
    }
    throw last;
  }

  private static EmbeddedKafkaBroker startOnce(Path dataDir, int brokerPort, int controllerPort,
      Map<String, String> overrides, boolean ownsDataDir, ScramUser scram) {
    Map<String, String> props = singleNodeConfig(dataDir, brokerPort, controllerPort,
        scram == null ? PLAINTEXT_LISTENER : SCRAM_LISTENER);
    if (scram != null) {
      props.putAll(scramConfig(scram));
    }
    props.putAll(overrides);
    KafkaConfig config = new KafkaConfig(props, false);
    format(config, dataDir, List.of(props.get("log.dirs").split(",")), scram);

    Map<String, String> clientSecurity = scram == null ? Map.of() : scramClientSecurity(scram.name(), scram.password());
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    String bootstrap = HOST + ":" + brokerPort;
    try {
      server.startup();
      awaitReady(bootstrap, clientSecurity);
    } catch (RuntimeException e) {
      shutdownQuietly(server);
      throw new IllegalStateException("embedded Kafka broker at " + bootstrap + " (data in " + dataDir
          + ") did not start: " + e.getMessage(), e);
    }
    log.info("embedded Kafka broker ready at {}{} (data in {})", bootstrap,
        scram == null ? "" : " (SASL/" + SCRAM_MECHANISM + ", user " + scram.name() + ")", dataDir);
    return new EmbeddedKafkaBroker(server, dataDir, ownsDataDir, brokerPort, clientSecurity);
  }

  /**
   * Settings for one node that is its own controller. Internal topics get one replica and few
   * partitions: the defaults (3 replicas, 50 partitions) cannot be met by one node or make the
   * first consumer group / first transaction take seconds to set up.
   *
   * @param brokerListener the client and inter-broker listener, named after its security
   *     protocol: {@code PLAINTEXT} or {@code SASL_PLAINTEXT}
   */
  static Map<String, String> singleNodeConfig(Path dataDir, int brokerPort, int controllerPort, String brokerListener) {
    Map<String, String> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("listeners", brokerListener + "://" + HOST + ":" + brokerPort + ","
        + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", brokerListener + "://" + HOST + ":" + brokerPort);
    // The controller listener stays PLAINTEXT on 127.0.0.1 in both variants: only this process
    // (the broker half talking to the controller half) connects to it.
    p.put("listener.security.protocol.map", brokerListener + ":" + brokerListener + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", brokerListener);
    p.put("log.dirs", logDir(dataDir).toString());

    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");

    // Samples are ~1 KiB and a flush batches many of them into one request; 2 MiB leaves room.
    p.put("message.max.bytes", Integer.toString(2 * 1024 * 1024));
    p.put("replica.fetch.max.bytes", Integer.toString(2 * 1024 * 1024));
    // Small segments keep a demo's disk use modest; this is not a throughput benchmark broker.
    p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    return p;
  }

  /**
   * SCRAM-SHA-512 as the only mechanism of the SASL_PLAINTEXT listener. The broker logs in to it
   * as the same user for its own inter-broker traffic, so one credential serves both sides.
   */
  private static Map<String, String> scramConfig(ScramUser scram) {
    String listenerPrefix = "listener.name." + SCRAM_LISTENER.toLowerCase(Locale.ROOT) + "."
        + SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".";
    Map<String, String> p = new HashMap<>();
    p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
    p.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
    p.put(listenerPrefix + "sasl.jaas.config", scramJaasConfig(scram.name(), scram.password()));
    return p;
  }

  /**
   * What {@code kafka-storage.sh format} does: writes meta.properties and the bootstrap metadata
   * (with {@code scram}'s credential, if given) into the log directory, unless it is already
   * formatted (a data directory reused across runs).
   */
  private static void format(KafkaConfig config, Path dataDir, List<String> logDirs, ScramUser scram) {
    // A formatted directory carries its cluster id in meta.properties; formatting it again with a
    // new random id would be refused, and reusing it is the point of a caller-given data dir.
    if (Files.exists(Path.of(config.metadataLogDir(), "meta.properties"))) {
      return;
    }
    Formatter formatter = new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(NODE_ID)
        .setClusterId(Uuid.randomUuid().toString())
        .setReleaseVersion(MetadataVersion.latestProduction())
        .setUnstableFeatureVersionsEnabled(false)
        .setIgnoreFormatted(true)
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setMetadataLogDirectory(config.metadataLogDir())
        .setHasDynamicQuorum(false);
    if (scram != null) {
      formatter.setScramArguments(List.of(
          SCRAM_MECHANISM + "=[name=" + scram.name() + ",password=" + scram.password() + "]"));
    }
    logDirs.forEach(formatter::addDirectory);
    if (!logDirs.contains(config.metadataLogDir())) {
      formatter.addDirectory(config.metadataLogDir());
    }
    try {
      formatter.run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  private static Path logDir(Path dataDir) {
    return dataDir.resolve("logs").toAbsolutePath();
  }

  private static void awaitReady(String bootstrap, Map<String, String> clientSecurity) {
    Properties props = new Properties();
    props.putAll(clientSecurity);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    String lastProblem = "no answer yet";
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        try {
          // describeCluster lists only unfenced brokers: a non-empty answer means the broker has
          // registered with the controller and can host partitions.
          Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000))
              .nodes().get(10, TimeUnit.SECONDS);
          if (!nodes.isEmpty()) {
            return;
          }
          lastProblem = "describeCluster returned no live broker";
        } catch (ExecutionException | TimeoutException e) {
          lastProblem = String.valueOf(e.getCause() != null ? e.getCause() : e);
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker at " + bootstrap, e);
    }
    throw new IllegalStateException("broker at " + bootstrap + " not ready after "
        + STARTUP_TIMEOUT.toSeconds() + " s: " + lastProblem);
  }

  /** host:port for the clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /**
   * The client settings this broker requires besides {@code bootstrap.servers}: for a
   * {@link #startWithScram SCRAM} broker {@code security.protocol}, {@code sasl.mechanism} and
   * {@code sasl.jaas.config} of its user; none for an open one.
   */
  public Map<String, String> clientSecurity() {
    return clientSecurity;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Stops the broker and, if {@link #start()} created the data directory, deletes it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    shutdownQuietly(server);
    if (ownsDataDir) {
      deleteRecursively(dataDir);
    }
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      log.warn("embedded broker did not shut down cleanly: {}", e.toString());
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free TCP port on " + HOST, e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          log.warn("cannot delete {}: {}", path, e.toString());
        }
      });
    } catch (IOException e) {
      log.warn("cannot delete broker data directory {}: {}", dir, e.toString());
    }
  }
}

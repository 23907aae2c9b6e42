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
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
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
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private static final int NODE_ID = 1;
  private static final String HOST = "127.0.0.1";
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
  /** A free port found by probing can be taken by someone else before the broker binds it. */
  private static final int MAX_PORT_ATTEMPTS = 3;

  static {
    BrokerLogging.quietByDefault();
  }

  private final KafkaRaftServer server;
  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int port;
  private boolean closed;

  private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean ownsDataDir, int port) {
    this.server = server;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.port = port;
  }

  /** Starts a broker in a fresh temporary directory on a free port; {@link #close} deletes it. */
  public static EmbeddedKafkaBroker start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("sieve-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the embedded broker", e);
    }
    try {
      return start(dir, 0, Map.of(), true);
    } catch (RuntimeException e) {
      deleteRecursively(dir);
      throw e;
    }
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
    return start(dataDir, port, overrides, false);
  }

  private static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides,
      boolean ownsDataDir) {
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
        return startOnce(dataDir, brokerPort, controllerPort, overrides, ownsDataDir);
      } catch (RuntimeException e) {
        last = e;
        log.warn("embedded broker failed to start on port {} (attempt {}/{}): {}", brokerPort, attempt, attempts, e.toString());
      }
    }
    throw last;
  }

  private static EmbeddedKafkaBroker startOnce(Path dataDir, int brokerPort, int controllerPort,
      Map<String, String> overrides, boolean ownsDataDir) {
    Map<String, String> props = singleNodeConfig(dataDir, brokerPort, controllerPort);
    props.putAll(overrides);
    KafkaConfig config = new KafkaConfig(props, false);
    format(config, dataDir, List.of(props.get("log.dirs").split(",")));

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    String bootstrap = HOST + ":" + brokerPort;
    try {
      server.startup();
      awaitReady(bootstrap);
    } catch (RuntimeException e) {
      shutdownQuietly(server);
      throw new IllegalStateException("embedded Kafka broker at " + bootstrap + " (data in " + dataDir
          + ") did not start: " + e.getMessage(), e);
    }
    log.info("embedded Kafka broker ready at {} (data in {})", bootstrap, dataDir);
    return new EmbeddedKafkaBroker(server, dataDir, ownsDataDir, brokerPort);
  }

  /**
   * Settings for one node that is its own controller. Internal topics get one replica and few
   * partitions: the defaults (3 replicas, 50 partitions) cannot be met by one node or make the
   * first consumer group / first transaction take seconds to set up.
   */
  static Map<String, String> singleNodeConfig(Path dataDir, int brokerPort, int controllerPort) {
    Map<String, String> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
        + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
    p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", BROKER_LISTENER);
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
   * What {@code kafka-storage.sh format} does: writes meta.properties and the bootstrap metadata
   * into the log directory, unless it is already formatted (a data directory reused across runs).
   */
  private static void format(KafkaConfig config, Path dataDir, List<String> logDirs) {
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

  private static void awaitReady(String bootstrap) {
    Properties props = new Properties();
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

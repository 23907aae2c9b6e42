package dev.sieve.cli;

import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Option;

/** Where the Kafka cluster is and how Sieve's topics are named there; shared by every command. */
final class ClusterOptions {

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
      description = "Kafka cluster to use (default: $${SIEVE_BOOTSTRAP_SERVERS:-localhost:9092}).")
  String bootstrapServers;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = TopicNames.DEFAULT_PREFIX,
      description = "Prefix of every Sieve topic (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--client-config", paramLabel = "FILE",
      description = "A Java properties file of Kafka client settings applied to every client, "
          + "e.g. security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location.")
  Path clientConfig;

  @Option(names = "--partitions", paramLabel = "N",
      description = "Partitions of the data topics when Sieve creates them (default: 6; the demo uses 2). "
          + "Existing topics are left as they are.")
  Integer partitions;

  String bootstrap() {
    if (bootstrapServers != null && !bootstrapServers.isBlank()) {
      return bootstrapServers;
    }
    String env = System.getenv("SIEVE_BOOTSTRAP_SERVERS");
    return env == null || env.isBlank() ? "localhost:9092" : env;
  }

  TopicNames topics() {
    return new TopicNames(topicPrefix);
  }

  Map<String, String> clientOverrides() {
    Map<String, String> out = new HashMap<>();
    if (clientConfig != null) {
      Properties props = new Properties();
      try (InputStream in = Files.newInputStream(clientConfig)) {
        props.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read --client-config " + clientConfig + ": " + e.getMessage(), e);
      }
      props.forEach((k, v) -> out.put(k.toString(), v.toString()));
    }
    return out;
  }

  /**
   * The trainer's, the producer's and the evaluator's Kafka clients do not take extra client
   * settings yet (only {@code stream} does), so a secured cluster is refused loudly instead of being
   * connected to without the settings the user asked for.
   */
  void refuseClientConfig(String command) {
    if (clientConfig != null) {
      throw new IllegalArgumentException(command + " does not support --client-config yet; only 'sieve stream' does");
    }
  }

  /** Creates Sieve's topics where missing (idempotent). */
  void ensureTopics(String bootstrap, TopicNames topics) {
    ensureTopics(bootstrap, topics, 6);
  }

  void ensureTopics(String bootstrap, TopicNames topics, int defaultPartitions) {
    ensureTopicsWith(bootstrap, topics, partitions == null ? defaultPartitions : partitions, clientOverrides());
  }

  static void ensureTopicsWith(String bootstrap, TopicNames topics, int count, Map<String, String> overrides) {
    Map<String, Object> props = new HashMap<>(overrides);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      TopicCatalog.ensureTopics(admin, topics, count);
    }
  }
}

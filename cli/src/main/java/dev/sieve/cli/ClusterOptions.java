package dev.sieve.cli;

import dev.sieve.wire.DecodeLimits;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.TimeoutException;
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
      description = "A Java properties file of Kafka client settings applied to every Kafka client of the command, "
          + "e.g. security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location.")
  Path clientConfig;

  int maxRecordBytes = DecodeLimits.DEFAULT_MAX_RECORD_BYTES;

  /**
   * Set while the command line is parsed, before the command runs, because Avro reads its limits
   * once, at the first decode.
   */
  @Option(names = "--max-record-bytes", paramLabel = "BYTES", defaultValue = "" + DecodeLimits.DEFAULT_MAX_RECORD_BYTES,
      description = "Largest record value Sieve decodes; larger samples are dead-lettered, and no field of a record "
          + "may declare more (default: ${DEFAULT-VALUE}).")
  void maxRecordBytes(int bytes) {
    DecodeLimits.configure(bytes);
    maxRecordBytes = bytes;
  }

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

  /** Partitions of the data topics a command creates unless --partitions says otherwise. */
  static final int DEFAULT_PARTITIONS = 6;

  /** Creates Sieve's topics where missing (idempotent). */
  void ensureTopics(String bootstrap, TopicNames topics) {
    ensureTopics(bootstrap, topics, DEFAULT_PARTITIONS);
  }

  void ensureTopics(String bootstrap, TopicNames topics, int defaultPartitions) {
    ensureTopicsWith(bootstrap, topics, partitions == null ? defaultPartitions : partitions, clientOverrides());
  }

  static void ensureTopicsWith(String bootstrap, TopicNames topics, int count, Map<String, String> overrides) {
    try {
      TopicCatalog.ensureTopics(bootstrap, overrides, topics, count);
    } catch (IllegalStateException e) {
      // A secured listener drops a client that does not log in without saying why, so the client
      // only ever sees a timeout; this is the first Kafka call of every command, so say it here.
      if (e.getCause() instanceof TimeoutException) {
        throw new IllegalStateException(e.getMessage() + " (no answer from Kafka at " + bootstrap
            + "; check --bootstrap-servers, and whether the cluster needs --client-config with security.protocol"
            + " and sasl.* or ssl.* settings)", e.getCause());
      }
      throw e;
    }
  }
}

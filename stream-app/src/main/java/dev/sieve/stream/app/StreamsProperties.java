package dev.sieve.stream.app;

import dev.sieve.stream.topology.FilterConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration the filter runs with; explicit overrides always win. */
public final class StreamsProperties {

  /** A flush of batchSize verdicts (about 1 KiB each for 28x28 images) must fit one request. */
  public static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;
  public static final int PRODUCER_BATCH_BYTES = 256 * 1024;
  public static final int PRODUCER_LINGER_MS = 5;
  public static final int COMMIT_INTERVAL_MS = 100;
  public static final int MAX_POLL_RECORDS = 500;

  private StreamsProperties() {}

  /**
   * {@code overrides} with {@code num.standby.replicas} set to {@code standbyReplicas}, unless
   * they set it themselves (a --client-config file wins, as every override does). The overrides
   * also reach the plain clients beside Kafka Streams (the Victim follower and updater), which
   * ignore a key they do not know.
   */
  public static Map<String, String> withStandbyReplicas(Map<String, String> overrides, int standbyReplicas) {
    if (standbyReplicas < 0) {
      throw new IllegalArgumentException("standby replicas must be >= 0, got " + standbyReplicas);
    }
    Map<String, String> out = new HashMap<>(overrides == null ? Map.of() : overrides);
    out.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(standbyReplicas));
    return out;
  }

  /** Settings with Kafka Streams' default state directory. */
  public static Properties properties(String bootstrapServers, FilterConfig config, Map<String, String> overrides) {
    return properties(bootstrapServers, config, null, overrides);
  }

  /**
   * Exactly-once v2 (a verdict, the buffer delete and the input offset commit together), one
   * stream thread, byte-array default serdes (every node names its own), a 100 ms commit interval
   * to keep end-to-end latency low, and {@code stateDir} as state.dir when given.
   */
  public static Properties properties(String bootstrapServers, FilterConfig config, Path stateDir,
      Map<String, String> overrides) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers must not be blank");
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Integer.toString(COMMIT_INTERVAL_MS));
    if (stateDir != null) {
      props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    }
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), Integer.toString(PRODUCER_LINGER_MS));
    props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(PRODUCER_BATCH_BYTES));
    props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Integer.toString(MAX_REQUEST_BYTES));
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), Integer.toString(MAX_POLL_RECORDS));
    if (overrides != null) {
      props.putAll(overrides);
    }
    return props;
  }
}

package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

  private final FilterConfig config = FilterConfig.defaults(TopicNames.defaults());

  @Test
  void defaultsAreExactlyOnceWithOneThreadAndByteArraySerdes() {
    Properties props = StreamsProperties.properties("broker:9092", config, Path.of("/var/lib/sieve/state"), Map.of());
    // StreamsConfig validates every value; a typo in a key or value fails here.
    StreamsConfig streams = new StreamsConfig(props);
    assertEquals("sieve-filter", streams.getString(StreamsConfig.APPLICATION_ID_CONFIG));
    assertEquals(StreamsConfig.EXACTLY_ONCE_V2, streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertEquals(1, streams.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
    assertEquals(100L, streams.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
    assertEquals(Path.of("/var/lib/sieve/state").toAbsolutePath().toString(), streams.getString(StreamsConfig.STATE_DIR_CONFIG));
    assertEquals("org.apache.kafka.common.serialization.Serdes$ByteArraySerde",
        streams.getClass(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG).getName());
    Map<String, Object> producer = streams.getProducerConfigs("client");
    assertEquals(String.valueOf(StreamsProperties.MAX_REQUEST_BYTES), String.valueOf(producer.get("max.request.size")));
    assertEquals("5", String.valueOf(producer.get("linger.ms")));
    Map<String, Object> consumer = streams.getMainConsumerConfigs("group", "client", 0);
    assertEquals("500", String.valueOf(consumer.get("max.poll.records")));
  }

  @Test
  void overridesWin() {
    Properties props = StreamsProperties.properties("broker:9092", config, Map.of(
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE,
        StreamsConfig.NUM_STREAM_THREADS_CONFIG, "4",
        StreamsConfig.STATE_DIR_CONFIG, "/tmp/elsewhere"));
    assertEquals(StreamsConfig.AT_LEAST_ONCE, props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertEquals("4", props.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
    assertEquals("/tmp/elsewhere", props.get(StreamsConfig.STATE_DIR_CONFIG));
    assertFalse(StreamsProperties.properties("b:1", config, Map.of()).containsKey(StreamsConfig.STATE_DIR_CONFIG),
        "without a state dir Kafka Streams' own default applies");
    assertThrows(IllegalArgumentException.class, () -> StreamsProperties.properties(" ", config, Map.of()));
  }

  @Test
  void standbyReplicasReachStreamsAndAClientConfigFileWins() {
    Map<String, String> overrides = StreamsProperties.withStandbyReplicas(Map.of("security.protocol", "SSL"), 1);
    StreamsConfig streams = new StreamsConfig(StreamsProperties.properties("broker:9092", config, overrides));
    assertEquals(1, streams.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
    assertEquals("SSL", overrides.get("security.protocol"));
    assertEquals(0, new StreamsConfig(StreamsProperties.properties("broker:9092", config,
        StreamsProperties.withStandbyReplicas(Map.of(), 0))).getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
    assertEquals("2", StreamsProperties.withStandbyReplicas(Map.of(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "2"), 1)
        .get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG), "a --client-config file's setting wins");
    assertThrows(IllegalArgumentException.class, () -> StreamsProperties.withStandbyReplicas(Map.of(), -1));
  }
}

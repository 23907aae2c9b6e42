package dev.sieve.stream.topology;

import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.wire.AvroSerde;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The filter as a Processor API topology:
 *
 * <pre>
 * samples ──► validate ──► micro-batch [sample-buffer] ──► quarantine | credible
 *                 └──────► dead-letter
 * </pre>
 *
 * The source reads raw bytes so that a value that is not Avro can still be dead-lettered byte for
 * byte instead of failing deserialisation.
 */
public final class FilterTopology {

  public static final String SOURCE = "samples-source";
  public static final String VALIDATOR = "validate";
  public static final String BATCHER = "micro-batch";
  public static final String QUARANTINE_SINK = "quarantine-sink";
  public static final String CREDIBLE_SINK = "credible-sink";
  public static final String DEAD_LETTER_SINK = "dead-letter-sink";
  /** The batcher's buffer; its changelog topic is {@code <applicationId>-sample-buffer-changelog}. */
  public static final String BUFFER_STORE = "sample-buffer";

  private FilterTopology() {}

  /** A pure function of its arguments: builds the graph, opens nothing, contacts nothing. */
  public static Topology build(FilterConfig config, VictimRegistry victims) {
    if (config == null || victims == null) {
      throw new IllegalArgumentException("FilterTopology.build needs a config and a registry, got "
          + config + " and " + victims);
    }
    QuarantineRouter router = new QuarantineRouter(QUARANTINE_SINK, CREDIBLE_SINK);
    Topology topology = new Topology();
    topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.topics().samples());
    topology.addProcessor(VALIDATOR, () -> new ValidationProcessor(new SampleValidator(config)), SOURCE);
    topology.addProcessor(BATCHER, () -> new MicroBatcher(config, victims, router), VALIDATOR);
    topology.addStateStore(bufferStore(), BATCHER);
    topology.addSink(QUARANTINE_SINK, config.topics().quarantine(),
        new ByteArraySerializer(), AvroSerde.verdict().serializer(), BATCHER);
    topology.addSink(CREDIBLE_SINK, config.topics().credible(),
        new ByteArraySerializer(), AvroSerde.verdict().serializer(), BATCHER);
    topology.addSink(DEAD_LETTER_SINK, config.topics().deadLetter(),
        new ByteArraySerializer(), AvroSerde.deadLetter().serializer(), VALIDATOR);
    return topology;
  }

  /**
   * RocksDB, changelogged, uncached: the buffer must survive a restart or a rebalance, and a cache
   * would only delay the deletes that a flush issues right after its puts.
   */
  static StoreBuilder<KeyValueStore<Long, byte[]>> bufferStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BUFFER_STORE), Serdes.Long(), Serdes.ByteArray())
        .withLoggingEnabled(Map.of())
        .withCachingDisabled();
  }
}

package dev.sieve.stream.topology;

import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.wire.AvroSerde;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The filter as a Processor API topology:
 *
 * <pre>
 * samples ──► validate [seen-ids] ──► micro-batch [sample-buffer] ──► quarantine | credible
 *                 └──────► dead-letter                 ├──► alert-detector ──► alerts
 *                                                      └──► retract [released-samples, retraction-progress] ──► retractions
 * </pre>
 *
 * The retract node and its stores exist only while {@code retractionWindow > 0}.
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
  public static final String ALERT_DETECTOR = "alert-detector";
  public static final String ALERTS_SINK = "alerts-sink";
  public static final String RETRACTOR = "retract";
  public static final String RETRACTIONS_SINK = "retractions-sink";
  /** Ids accepted within the duplicate window; changelog {@code <applicationId>-seen-ids-changelog}. */
  public static final String SEEN_IDS_STORE = "seen-ids";
  /** The batcher's buffer; its changelog topic is {@code <applicationId>-sample-buffer-changelog}. */
  public static final String BUFFER_STORE = "sample-buffer";
  /** Samples released as credible, kept for re-judging by newer Victims; changelog {@code <applicationId>-released-samples-changelog}. */
  public static final String RELEASED_STORE = "released-samples";
  /** Which Victim version the released samples were re-judged by, and how far; changelogged. */
  public static final String RETRACTION_PROGRESS_STORE = "retraction-progress";

  private FilterTopology() {}

  /** {@link #build(FilterConfig, VictimRegistry, FilterMetrics)} without metrics. */
  public static Topology build(FilterConfig config, VictimRegistry victims) {
    return build(config, victims, FilterMetrics.NONE);
  }

  /** A pure function of its arguments: builds the graph, opens nothing, contacts nothing. */
  public static Topology build(FilterConfig config, VictimRegistry victims, FilterMetrics metrics) {
    if (config == null || victims == null || metrics == null) {
      throw new IllegalArgumentException("FilterTopology.build needs a config, a registry and metrics, got "
          + config + ", " + victims + " and " + metrics);
    }
    QuarantineRouter router = new QuarantineRouter(QUARANTINE_SINK, CREDIBLE_SINK);
    Topology topology = new Topology();
    topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.topics().samples());
    topology.addProcessor(VALIDATOR, () -> new ValidationProcessor(new SampleValidator(config), metrics,
        config.duplicateWindow()), SOURCE);
    topology.addProcessor(BATCHER, () -> new MicroBatcher(config, victims, router, metrics), VALIDATOR);
    topology.addStateStore(seenIdsStore(config.duplicateWindow()), VALIDATOR);
    topology.addStateStore(bufferStore(), BATCHER);
    topology.addProcessor(ALERT_DETECTOR,
        () -> new AlertProcessor(QuarantineRateAlarm.Rule.defaults(), config.numClasses(), metrics), BATCHER);
    topology.addSink(QUARANTINE_SINK, config.topics().quarantine(),
        new ByteArraySerializer(), AvroSerde.verdict().serializer(), BATCHER);
    topology.addSink(CREDIBLE_SINK, config.topics().credible(),
        new ByteArraySerializer(), AvroSerde.verdict().serializer(), BATCHER);
    topology.addSink(DEAD_LETTER_SINK, config.topics().deadLetter(),
        new ByteArraySerializer(), AvroSerde.deadLetter().serializer(), VALIDATOR);
    topology.addSink(ALERTS_SINK, config.topics().alerts(),
        new ByteArraySerializer(), AvroSerde.alert().serializer(), ALERT_DETECTOR);
    if (config.retractionsEnabled()) {
      topology.addProcessor(RETRACTOR, () -> new Retractor(config, victims, metrics), BATCHER);
      topology.addStateStore(persistentUncached(RELEASED_STORE, Serdes.Long(), Serdes.ByteArray()), RETRACTOR);
      topology.addStateStore(persistentUncached(RETRACTION_PROGRESS_STORE, Serdes.String(), Serdes.Long()), RETRACTOR);
      topology.addSink(RETRACTIONS_SINK, config.topics().retractions(),
          new ByteArraySerializer(), AvroSerde.retraction().serializer(), RETRACTOR);
    }
    return topology;
  }

  /**
   * One entry per accepted id, dropped by RocksDB once older than the window. Uncached, so a
   * second copy right behind the first is seen.
   */
  static StoreBuilder<WindowStore<String, String>> seenIdsStore(Duration window) {
    return Stores.windowStoreBuilder(Stores.persistentWindowStore(SEEN_IDS_STORE, window, window, false),
            Serdes.String(), Serdes.String())
        .withLoggingEnabled(Map.of())
        .withCachingDisabled();
  }

  /**
   * RocksDB, changelogged, uncached: the buffer must survive a restart or a rebalance, and a cache
   * would only delay the deletes that a flush issues right after its puts.
   */
  static StoreBuilder<KeyValueStore<Long, byte[]>> bufferStore() {
    return persistentUncached(BUFFER_STORE, Serdes.Long(), Serdes.ByteArray());
  }

  /** The released samples and the re-judge's cursor are kept the same way, for the same reasons. */
  private static <K, V> StoreBuilder<KeyValueStore<K, V>> persistentUncached(String name, Serde<K> keys,
      Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values)
        .withLoggingEnabled(Map.of())
        .withCachingDisabled();
  }
}

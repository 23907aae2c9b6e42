package dev.sieve.stream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sieve.schemas.Decision;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.victim.ScriptedVictim;
import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.wire.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * What a restart looks like to the retractor: its two stores come back from their changelogs and
 * a new processor instance starts on them, with the same Victim version installed again. The
 * TopologyTestDriver wipes its state directory on close, so this drives the processor directly.
 */
class RetractorRestartTest {

  private static final long NOW = 1_900_000_000_000L;
  private static final double LOW = 0.05 * ScriptedVictim.MAX_MEAN_ENTROPY;
  private static final double HIGH = 0.9 * ScriptedVictim.MAX_MEAN_ENTROPY;

  private final FilterConfig config = FilterConfig.defaults(new TopicNames("t.")).withBatchSize(4)
      .withMaxBatchWait(Duration.ofMillis(200));
  private final MockProcessorContext<byte[], Retraction> context = new MockProcessorContext<>();
  private final KeyValueStore<Long, byte[]> released = store(FilterTopology.RELEASED_STORE, Serdes.Long(), Serdes.ByteArray());
  private final KeyValueStore<String, Long> progress = store(FilterTopology.RETRACTION_PROGRESS_STORE, Serdes.String(),
      Serdes.Long());

  private <K, V> KeyValueStore<K, V> store(String name, org.apache.kafka.common.serialization.Serde<K> keys,
      org.apache.kafka.common.serialization.Serde<V> values) {
    KeyValueStore<K, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, values)
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  private Retractor startRetractor(VictimRegistry registry) {
    context.resetForwards();
    Retractor retractor = new Retractor(config, registry, FilterMetrics.NONE);
    retractor.init(context);
    return retractor;
  }

  private void punctuate() {
    List<MockProcessorContext.CapturedPunctuator> punctuators = context.scheduledPunctuators();
    punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(NOW);
  }

  private List<String> retracted() {
    return context.forwarded().stream().map(f -> ((Retraction) f.record().value()).getSampleId()).toList();
  }

  private static Verdict credible(String id, long version) {
    return Verdict.newBuilder().setSample(TestSamples.uint8(id, 2).build()).setDecision(Decision.CREDIBLE)
        .setEntropy(HIGH).setScore(0.9).setThreshold(-1).setVictimModelId("victim").setVictimVersion(version)
        .setReason("r").setScoredAt(Instant.ofEpochMilli(NOW)).build();
  }

  @Test
  void aRestartedRetractorNeitherRejudgesNorRetractsAgainAndKeepsCountingItsWindow() {
    context.setCurrentSystemTimeMs(NOW);
    try (VictimRegistry registry = new VictimRegistry()) {
      Retractor first = startRetractor(registry);
      for (String id : List.of("c-0", "p-1", "c-2", "p-3", "c-4")) {
        first.process(new Record<>(TestSamples.key(id), credible(id, 1), 5L, new RecordHeaders()));
      }
      ScriptedVictim v2 = new ScriptedVictim(2, 0.3, HIGH).entropy("p-1", LOW).entropy("p-3", LOW);
      registry.swap(v2);
      punctuate();
      assertEquals(List.of("p-1", "p-3"), retracted());
      assertEquals(List.of(List.of("c-0", "p-1", "c-2", "p-3"), List.of("c-4")), v2.batches());

      // Restart: a new instance on the restored stores, v2 installed again by the follower.
      Retractor second = startRetractor(registry);
      punctuate();
      assertEquals(List.of(), retracted(), "the store says v2's re-judge is done: nothing re-emitted");
      assertEquals(2, v2.batches().size(), "and nothing re-scored");

      second.process(new Record<>(TestSamples.key("p-5"), credible("p-5", 2), 6L, new RecordHeaders()));
      ScriptedVictim v3 = new ScriptedVictim(3, 0.3, HIGH).entropy("p-1", LOW).entropy("p-3", LOW).entropy("p-5", LOW);
      registry.swap(v3);
      punctuate();
      assertEquals(List.of("p-5"), retracted(), "v3 retracts only what was not retracted before");
      assertEquals(List.of(List.of("c-0", "c-2", "c-4", "p-5")), v3.batches(),
          "numbering continued after the restored keys, in release order");
      assertEquals(3, released.approximateNumEntries());
      assertEquals(3L, progress.get(Retractor.TARGET_VERSION));
    }
  }
}

package dev.sieve.stream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.victim.ScriptedVictim;
import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.wire.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * What a restart looks like to the batcher: the store comes back (restored from its changelog)
 * holding samples whose lower sequence numbers were already flushed. The TopologyTestDriver wipes
 * its state directory on close, so this drives the processor directly.
 */
class MicroBatcherRecoveryTest {

  private static final long NOW = 1_900_000_000_000L;

  @Test
  void continuesNumberingAfterTheRestoredKeysAndFlushesTheBacklogFirst() {
    FilterConfig config = FilterConfig.defaults(new TopicNames("t.")).withBatchSize(4).withMaxBatchWait(Duration.ofMillis(200));
    MockProcessorContext<byte[], Verdict> context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(NOW);
    KeyValueStore<Long, byte[]> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(FilterTopology.BUFFER_STORE), Serdes.Long(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);

    BufferedSampleCodec codec = new BufferedSampleCodec();
    store.put(40L, codec.encode(new BufferedSample(TestSamples.key("old-40"), new RecordHeaders(), 1L, NOW - 10_000, TestSamples.uint8("old-40", 1).build())));
    store.put(41L, codec.encode(new BufferedSample(TestSamples.key("old-41"), new RecordHeaders(), 2L, NOW - 9_000, TestSamples.uint8("old-41", 1).build())));

    try (VictimRegistry registry = new VictimRegistry()) {
      MicroBatcher batcher = new MicroBatcher(config, registry, new QuarantineRouter(FilterTopology.QUARANTINE_SINK, FilterTopology.CREDIBLE_SINK),
          FilterMetrics.NONE);
      batcher.init(context);
      for (String id : List.of("new-a", "new-b")) {
        LabeledSample sample = TestSamples.uint8(id, 2).build();
        batcher.process(new Record<>(TestSamples.key(id), sample, 3L, new RecordHeaders()));
      }
      assertEquals(List.of(40L, 41L, 42L, 43L), keys(store), "new samples are appended after the restored ones");
      assertEquals(List.of(), context.forwarded(), "no Victim yet");

      ScriptedVictim v1 = new ScriptedVictim(1, 0.3, ScriptedVictim.MAX_MEAN_ENTROPY);
      registry.swap(v1);
      context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW + 50);

      assertEquals(List.of(List.of("old-40", "old-41", "new-a", "new-b")), v1.batches(), "one batch, in arrival order");
      List<String> forwarded = context.forwarded().stream()
          .filter(f -> !f.childName().orElseThrow().equals(FilterTopology.ALERT_DETECTOR)) // sees every verdict
          .map(f -> f.childName().orElseThrow() + ":" + ((Verdict) f.record().value()).getSample().getId())
          .toList();
      // Each credible verdict also goes to the retractor, which keeps it for newer Victims to re-judge.
      assertEquals(List.of("old-40", "old-41", "new-a", "new-b").stream()
          .flatMap(id -> java.util.stream.Stream.of(FilterTopology.CREDIBLE_SINK + ":" + id, FilterTopology.RETRACTOR + ":" + id))
          .toList(), forwarded);
      assertEquals(List.of(), keys(store), "flushed samples are deleted");
      assertEquals(config.punctuationInterval(), context.scheduledPunctuators().get(0).getInterval());
    }
  }

  private static List<Long> keys(KeyValueStore<Long, byte[]> store) {
    List<Long> keys = new ArrayList<>();
    try (KeyValueIterator<Long, byte[]> it = store.all()) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    return keys;
  }
}

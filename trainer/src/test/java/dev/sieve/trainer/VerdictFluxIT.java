package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.wire.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

class VerdictFluxIT {

  private static final int RECORDS_PER_PARTITION = 600;

  @Test
  void emitsOnlyAgainstDemandPausesWhenItRunsOutAndResumesWhenItReturns() throws Exception {
    String topic = KafkaFixture.freshTopics().credible();
    produce(topic);
    VerdictFlux flux = new VerdictFlux(VerdictFlux.consumerConfig(KafkaFixture.bootstrap(), "g-demand", 40),
        List.of(topic), Map.of(), 60);
    Collector collector = new Collector(10);
    flux.flux().subscribe(collector);
    try {
      awaitTrue("10 records and a paused consumer", () -> collector.received.size() == 10 && flux.paused());
      int maxHeld = 0;
      long until = System.nanoTime() + Duration.ofMillis(600).toNanos();
      while (System.nanoTime() < until) {
        maxHeld = Math.max(maxHeld, flux.buffered());
        Thread.sleep(10);
      }
      assertEquals(10, collector.received.size(), "nothing may be emitted beyond the demand");
      assertEquals(10, flux.emitted());
      assertTrue(flux.paused());
      assertTrue(maxHeld <= 60 + 40, "held " + maxHeld + " records, bound is high-water 60 + max.poll.records 40");

      collector.request(500);
      awaitTrue("510 records", () -> collector.received.size() == 510);
      collector.request(Long.MAX_VALUE);
      awaitTrue("every record", () -> collector.received.size() == 2 * RECORDS_PER_PARTITION);
      assertTrue(flux.pauses() >= 1);
      assertEquals(2 * RECORDS_PER_PARTITION, flux.emitted());
      assertEachPartitionInOrderFrom(collector.received, Map.of(0, 0L, 1, 0L));
    } finally {
      collector.dispose();
    }
    assertTrue(flux.awaitStopped(Duration.ofSeconds(20)), "cancelling must stop the poll thread");
  }

  @Test
  void seeksToTheStartOffsetsOnAssignmentAndRefusesASecondSubscriber() throws Exception {
    String topic = KafkaFixture.freshTopics().credible();
    produce(topic);
    Map<TopicPartition, Long> start = Map.of(new TopicPartition(topic, 0), 250L, new TopicPartition(topic, 1), 599L);
    VerdictFlux flux = new VerdictFlux(VerdictFlux.consumerConfig(KafkaFixture.bootstrap(), "g-seek", 100),
        List.of(topic), start, 500);
    Collector collector = new Collector(Long.MAX_VALUE);
    flux.flux().subscribe(collector);
    try {
      awaitTrue("the records after the start offsets", () -> collector.received.size() == 350 + 1);
      Thread.sleep(300);
      assertEquals(351, collector.received.size(), "nothing before the start offsets may be read");
      assertEachPartitionInOrderFrom(collector.received, Map.of(0, 250L, 1, 599L));

      AtomicReference<Throwable> second = new AtomicReference<>();
      flux.flux().subscribe(r -> { }, second::set);
      assertTrue(second.get() instanceof IllegalStateException && second.get().getMessage().contains("already subscribed"),
          String.valueOf(second.get()));
    } finally {
      collector.dispose();
    }
    assertTrue(flux.awaitStopped(Duration.ofSeconds(20)));
  }

  @Test
  void readsTwoTopicsThroughOneConsumerEachFromItsOwnStartOffsets() throws Exception {
    TopicNames names = KafkaFixture.freshTopics();
    String credible = names.credible();
    String quarantine = names.quarantine();
    produce(credible);
    produce(quarantine);
    // As after a restart whose checkpoint had consumed part of quarantine and nothing of credible.
    Map<TopicPartition, Long> start = Map.of(new TopicPartition(quarantine, 0), 100L,
        new TopicPartition(quarantine, 1), 500L);
    VerdictFlux flux = new VerdictFlux(VerdictFlux.consumerConfig(KafkaFixture.bootstrap(), "g-two", 100),
        List.of(credible, quarantine), start, 500);
    Collector collector = new Collector(Long.MAX_VALUE);
    flux.flux().subscribe(collector);
    try {
      int expected = 2 * RECORDS_PER_PARTITION + (RECORDS_PER_PARTITION - 100) + (RECORDS_PER_PARTITION - 500);
      awaitTrue(expected + " records of both topics", () -> collector.received.size() == expected);
      Thread.sleep(300);
      assertEquals(expected, collector.received.size(), "nothing before the start offsets may be read");
      List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(collector.received);
      assertEachPartitionInOrderFrom(all.stream().filter(r -> r.topic().equals(credible)).toList(), Map.of(0, 0L, 1, 0L));
      assertEachPartitionInOrderFrom(all.stream().filter(r -> r.topic().equals(quarantine)).toList(),
          Map.of(0, 100L, 1, 500L));
    } finally {
      collector.dispose();
    }
    assertTrue(flux.awaitStopped(Duration.ofSeconds(20)));
  }

  /** RECORDS_PER_PARTITION records into each of the two partitions; value = "p:i". */
  private static void produce(String topic) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer()) {
      for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
        for (int p = 0; p < 2; p++) {
          producer.send(new ProducerRecord<>(topic, p, null, (p + ":" + i).getBytes()));
        }
      }
      producer.flush();
    }
  }

  private static void assertEachPartitionInOrderFrom(List<ConsumerRecord<byte[], byte[]>> records,
      Map<Integer, Long> firstOffsets) {
    Map<Integer, Long> next = new HashMap<>(firstOffsets);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      long expected = next.get(r.partition());
      assertEquals(expected, r.offset(), "partition " + r.partition() + " skipped or repeated a record");
      assertEquals(r.partition() + ":" + r.offset(), new String(r.value()));
      next.put(r.partition(), expected + 1);
    }
    for (var e : next.entrySet()) {
      assertEquals(RECORDS_PER_PARTITION, e.getValue(), "partition " + e.getKey() + " not read to its end");
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  /** Requests {@code initial} on subscription and then only what the test asks for. */
  private static final class Collector extends BaseSubscriber<ConsumerRecord<byte[], byte[]>> {
    final List<ConsumerRecord<byte[], byte[]>> received = Collections.synchronizedList(new ArrayList<>());
    private final long initial;

    Collector(long initial) {
      this.initial = initial;
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      request(initial);
    }

    @Override
    protected void hookOnNext(ConsumerRecord<byte[], byte[]> value) {
      received.add(value);
    }
  }
}

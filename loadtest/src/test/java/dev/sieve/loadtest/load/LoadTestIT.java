package dev.sieve.loadtest.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.Attacks;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.TimedLoad;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load test's measuring parts against a real broker, with a relay standing in for the filter
 * (it copies each sample, headers included, to the credible topic and commits, as the filter's
 * consumer group does), so what is checked is the measuring, not the filter's speed.
 */
@Timeout(120)
class LoadTestIT {

  /** Copies samples → credible under group {@code group} until stopped or paused. */
  private static Thread relay(String bootstrap, TopicNames topics, String group, AtomicBoolean run,
      AtomicBoolean paused) {
    Thread t = new Thread(() -> {
      Map<String, Object> c = new HashMap<>();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      Map<String, Object> p = Map.of(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
          KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        consumer.subscribe(List.of(topics.samples()));
        while (run.get()) {
          if (paused.get()) {
            consumer.pause(consumer.assignment());
          } else {
            consumer.resume(consumer.paused());
          }
          Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
            producer.send(new ProducerRecord<>(topics.credible(), null, r.key(), r.value(), r.headers()));
            done.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          }
          if (!done.isEmpty()) {
            producer.flush();
            consumer.commitSync(done);
          }
        }
      }
    }, "relay");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void aKeptUpStepIsSustainedAndAStalledOneIsNot() throws Exception {
    String bootstrap = EmbeddedKafkaBroker.shared().bootstrapServers();
    TopicNames topics = new TopicNames("loadtest-it.");
    TopicCatalog.ensureTopics(EmbeddedKafkaBroker.shared().bootstrapServers(), Map.of(), topics, 2);
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    PoisonedTrainingSet images = new PoisonedTrainingSet(train, 500, 0.1, Attacks.parse("badnets-3x3", 0), 1);
    AtomicBoolean run = new AtomicBoolean(true);
    AtomicBoolean paused = new AtomicBoolean(false);
    Thread relay = relay(bootstrap, topics, "relay-group", run, paused);
    try (TimedLoad load = new TimedLoad(ProducerConfig.defaults(bootstrap, topics), images, "it");
        VerdictLatency latency = new VerdictLatency(bootstrap, topics, Map.of());
        GroupLag lag = new GroupLag(bootstrap, "relay-group", topics.samples(), Map.of())) {
      LoadTest test = new LoadTest(load, latency, lag, null, Duration.ofSeconds(5), Duration.ofSeconds(10), null);

      LoadTest.Step kept = test.step(300, Duration.ofSeconds(3));
      assertTrue(kept.sustained(), kept.line());
      assertEquals(kept.verdicts(), load.sent(), "one verdict per record sent, each with its latency");
      assertTrue(kept.sentRate() > 200 && kept.sentRate() < 400, "paced near 300/s: " + kept.line());
      assertTrue(kept.p50Ms() <= kept.p99Ms() && kept.p99Ms() <= kept.maxMs(), kept.line());
      assertTrue(kept.megabytesPerSecond() > 0, kept.line());
      assertEquals(0, latency.withoutSendTime());
      assertNotNull(kept.batchLine());

      paused.set(true);
      LoadTest.Step stalled = test.step(300, Duration.ofSeconds(3));
      assertFalse(stalled.sustained(), stalled.line());
      assertTrue(stalled.endLag() > 500, "the stalled relay leaves the step's records behind: " + stalled.line());
      // A few late verdicts of the first step may still be read during this one.
      assertTrue(stalled.verdicts() < 50, stalled.line());
    } finally {
      run.set(false);
      relay.join(10_000);
    }
  }
}

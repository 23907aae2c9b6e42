package dev.sieve.ui;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One real broker for the module's tests (started on first use, stopped when the test JVM exits),
 * real Fashion-MNIST test images, and the client chores the tests share. Each test gets its own
 * topic prefix.
 */
final class UiKafka {

  private static FashionMnist.Split images;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private UiKafka() {}

  static String bootstrap() {
    return EmbeddedKafkaBroker.shared().bootstrapServers();
  }

  static synchronized FashionMnist.Split images() {
    if (images == null) {
      try {
        images = FashionMnist.loadTest(FashionMnist.resolveDir(null));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return images;
  }

  /** Sieve's topics under a fresh prefix, data topics with 2 partitions. */
  static TopicNames freshTopics() {
    TopicNames names = new TopicNames("ui-" + COUNTER.incrementAndGet() + "-"
        + UUID.randomUUID().toString().substring(0, 8) + ".");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      TopicCatalog.ensureTopics(admin, names, 2);
      // A new partition's leader can still refuse the first produce (NOT_LEADER_OR_FOLLOWER), and an
      // idempotent producer retrying it behind later batches can stall. ListOffsets is answered by
      // the leader only, and Admin retries it until it is: once it answers, producing is safe.
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (String topic : List.of(names.quarantine(), names.credible(), names.audit())) {
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
            .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      }
      admin.listOffsets(request).all().get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("topics of " + names.prefix() + " not ready", e);
    }
    return names;
  }

  /**
   * The first {@code count} Fashion-MNIST test images as verdicts with the given decision, scored
   * one second apart (the last one newest).
   */
  static List<Verdict> verdicts(int first, int count, Decision decision) {
    FashionMnist.Split split = images();
    Instant newest = Instant.now();
    List<Verdict> out = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      LabeledSample sample = LabeledSample.newBuilder()
          .setId("fmnist-test-" + i).setSource("fashion-mnist/test").setLabel(split.labels()[i])
          .setHeight(split.rows()).setWidth(split.cols()).setChannels(1).setEncoding(PixelEncoding.UINT8)
          .setPixels(ByteBuffer.wrap(split.images()[i])).setEventTime(newest.minusSeconds(60))
          .setMetadata(Map.of()).build();
      out.add(Verdict.newBuilder().setSample(sample).setDecision(decision)
          .setEntropy(decision == Decision.QUARANTINE ? 2.5e-6 : 0.12).setScore(decision == Decision.QUARANTINE ? 0.002 : 0.6)
          .setThreshold(0.05).setVictimModelId("victim").setVictimVersion(4)
          .setReason(decision == Decision.QUARANTINE ? "score 0.002 <= threshold 0.05 for class " + split.labels()[i]
              : "score 0.6 > threshold 0.05")
          .setScoredAt(newest.minusSeconds(first + count - 1 - i)).build());
    }
    return out;
  }

  /** Produces the verdicts keyed by sample id, with the producer's ground-truth header, and waits for the acks. */
  static void produce(String topic, List<Verdict> verdicts) {
    AvroSerde<Verdict> serde = AvroSerde.verdict();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(), ProducerConfig.LINGER_MS_CONFIG, 5),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<?>> acks = new ArrayList<>();
      for (Verdict v : verdicts) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
            v.getSample().getId().getBytes(StandardCharsets.UTF_8), serde.encode(v));
        record.headers().add(Headers.GROUND_TRUTH, Headers.TRUTH_POISONED.getBytes(StandardCharsets.UTF_8));
        acks.add(producer.send(record));
      }
      producer.flush();
      for (Future<?> ack : acks) {
        ack.get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot produce to " + topic, e);
    }
  }

  /** Every committed record of {@code topic}, all partitions, from the beginning to the current end. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end " + end + " within 20 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}

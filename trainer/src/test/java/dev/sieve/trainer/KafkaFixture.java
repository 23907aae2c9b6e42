package dev.sieve.trainer;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One real broker for all tests of the module (started on first use, stopped when the test JVM
 * exits), and the client chores the tests share. Each test gets its own topic prefix.
 */
public final class KafkaFixture {

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private KafkaFixture() {}

  public static String bootstrap() {
    return EmbeddedKafkaBroker.shared().bootstrapServers();
  }

  /** A Beneficiary sized for tests: small batches and window, frequent checkpoints and progress. */
  public static BeneficiaryConfig beneficiaryConfig(TopicNames topics, Path checkpoints) {
    return BeneficiaryConfig.defaults(bootstrap(), checkpoints)
        .withTopics(topics)
        .withGroupId("beneficiary-" + topics.prefix())
        .withBatchSize(32)
        .withMaxBatchWait(Duration.ofMillis(200))
        .withWindowSize(2000)
        .withCheckpointEverySteps(10)
        .withProgressInterval(Duration.ofSeconds(1));
  }

  /** Sieve's topics under a fresh prefix, data topics with 2 partitions. */
  public static TopicNames freshTopics() {
    TopicNames names = new TopicNames("t-" + COUNTER.incrementAndGet() + "-"
        + UUID.randomUUID().toString().substring(0, 8) + ".");
    ensureTopics(names);
    // createTopics returns before the broker has taken leadership of the new partitions. An
    // idempotent producer that writes at once gets NOT_LEADER_OR_FOLLOWER for its first batches
    // while later ones land, and then retries the first ones for ever (OutOfOrderSequence).
    // ListOffsets is answered by the partition leader only, and Admin retries it until it is.
    endOffsets(names.credible());
    endOffsets(names.quarantine());
    endOffsets(names.retractions());
    endOffsets(names.victimModels());
    endOffsets(names.cleanModels());
    return names;
  }

  /**
   * Right after createTopics, a DescribeTopics can still be answered UNKNOWN_TOPIC_OR_PARTITION
   * while the new topics' metadata propagates (seen on a loaded two-core machine).
   * ensureTopics is idempotent, so asking again is safe; any other failure is not retried.
   */
  private static void ensureTopics(TopicNames names) {
    for (int attempt = 1; ; attempt++) {
      try (Admin admin = admin()) {
        TopicCatalog.ensureTopics(admin, names, 2);
        return;
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == 5) {
          throw e;
        }
      }
      try {
        Thread.sleep(200L * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while creating the topics of " + names.prefix(), e);
      }
    }
  }

  public static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
  }

  public static KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Produces the verdicts keyed by sample id (so they spread over the partitions) and waits for the acks. */
  public static void produce(String topic, List<Verdict> verdicts) {
    AvroSerde<Verdict> serde = AvroSerde.verdict();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      var acks = new ArrayList<java.util.concurrent.Future<?>>();
      for (Verdict v : verdicts) {
        acks.add(producer.send(new ProducerRecord<>(topic,
            v.getSample().getId().getBytes(StandardCharsets.UTF_8), serde.encode(v))));
      }
      producer.flush();
      for (var ack : acks) {
        ack.get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot produce to " + topic, e);
    }
  }

  public static void produceRaw(String topic, int partition, byte[] value) {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(new ProducerRecord<>(topic, partition, null, value)).get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot produce to " + topic, e);
    }
  }

  /** The log-end offset of every partition of {@code topic}. */
  public static Map<TopicPartition, Long> endOffsets(String topic) {
    try (Admin admin = admin()) {
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(request).all().get().entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot read end offsets of " + topic, e);
    }
  }

  /** Every record of a one-partition topic, read from the beginning up to its current end. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    long end = endOffsets(topic).get(tp);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  public static List<ModelVersion> modelVersions(TopicNames topics) {
    AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();
    return readAll(topics.cleanModels()).stream().map(r -> serde.decode(r.value())).toList();
  }
}

package dev.sieve.stream.app;

import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The filter's outputs (dead-letter, credible, quarantine, retractions) read committed from the
 * beginning, as a downstream consumer sees them.
 */
final class FilterOutputs {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SETTLE = Duration.ofSeconds(2);

  final List<DeadLetterOut> deadLetters = new ArrayList<>();
  final List<Verdict> verdicts = new ArrayList<>();
  final List<Retraction> retractions = new ArrayList<>();

  Set<String> verdictIds() {
    return verdicts.stream().map(v -> v.getSample().getId()).collect(Collectors.toSet());
  }

  String describe() {
    return deadLetters.size() + " dead letters " + deadLetters.stream()
        .map(d -> d.letter().getErrorClass() + "(" + (d.key() == null ? "null" : new String(d.key(), StandardCharsets.UTF_8)) + ")")
        .toList() + ", " + verdicts.size() + " verdicts, " + retractions.size() + " retractions";
  }

  /** Reads until {@code done} holds, then {@link #SETTLE} more to catch a record written twice. */
  static FilterOutputs read(String bootstrap, TopicNames topics, Predicate<FilterOutputs> done) {
    AvroSerde<DeadLetter> deadLetterSerde = AvroSerde.deadLetter();
    AvroSerde<Verdict> verdictSerde = AvroSerde.verdict();
    AvroSerde<Retraction> retractionSerde = AvroSerde.retraction();
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    FilterOutputs out = new FilterOutputs();
    Consumer<ConsumerRecord<byte[], byte[]>> add = r -> {
      if (r.topic().equals(topics.deadLetter())) {
        out.deadLetters.add(new DeadLetterOut(r.key(), deadLetterSerde.decode(r.value())));
      } else if (r.topic().equals(topics.retractions())) {
        out.retractions.add(retractionSerde.decode(r.value()));
      } else {
        out.verdicts.add(verdictSerde.decode(r.value()));
      }
    };
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(topics.deadLetter(), topics.credible(), topics.quarantine(), topics.retractions())) {
        for (PartitionInfo p : consumer.partitionsFor(topic, TIMEOUT)) {
          partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!done.test(out)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s reading the outputs; so far "
              + out.describe());
        }
        consumer.poll(Duration.ofMillis(200)).forEach(add);
      }
      long settleUntil = System.nanoTime() + SETTLE.toNanos();
      while (System.nanoTime() < settleUntil) {
        consumer.poll(Duration.ofMillis(200)).forEach(add);
      }
    }
    return out;
  }

  /** A dead letter with the key of the record it carries. */
  record DeadLetterOut(byte[] key, DeadLetter letter) {

    /** Whether this dead letter carries exactly {@code bad}'s raw key and value. */
    boolean carries(BadInputCorpusIT.BadRecord bad) {
      return Arrays.equals(bytes(letter.getRawKey()), bad.key()) && Arrays.equals(bytes(letter.getRawValue()), bad.value());
    }

    private static byte[] bytes(ByteBuffer buffer) {
      if (buffer == null) {
        return null;
      }
      byte[] out = new byte[buffer.remaining()];
      buffer.duplicate().get(out);
      return out;
    }
  }
}

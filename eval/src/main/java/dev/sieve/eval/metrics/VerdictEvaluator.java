package dev.sieve.eval.metrics;

import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the filter's three outputs (credible, quarantine, dead-letter) and scores the decisions
 * against the ground truth the load producer put in each record's {@link Headers#GROUND_TRUTH}
 * header, which Kafka Streams forwards from input to output records.
 *
 * <p>It reads committed records only, as a downstream consumer of an exactly-once pipeline would,
 * by manual assignment (no consumer group, nothing committed) from the beginning of each topic or
 * from a given time. It stops when {@code expected} distinct samples have been seen, then keeps
 * reading for the settle period to catch duplicates and stragglers, or when the timeout passes.
 *
 * <p>A sample's id is the record key (UTF-8), else the id inside the decoded value. Decision time
 * is the Verdict's {@code scoredAt} or the DeadLetter's {@code failedAt}: Streams stamps output
 * records with the input's timestamp, so the record timestamp would measure nothing. Only for a
 * value that does not decode does the evaluator fall back to the record timestamp.
 *
 * <p>Besides the counts, it keeps each decided sample's entropy, ground truth, decision and
 * {@code scoredAt}, from which the report computes the AUROC of the entropy and the quarantine
 * rate over time (see {@link DetectionReport}).
 */
public final class VerdictEvaluator {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final TopicNames topics;
  private final long fromEpochMillis;
  private final Duration settle;
  private final Map<String, String> clientOverrides;
  private final BooleanSupplier stopWhen;
  private final AvroSerde<Verdict> verdicts = AvroSerde.verdict();
  private final AvroSerde<DeadLetter> deadLetters = AvroSerde.deadLetter();

  /** Reads each topic from its beginning, without a settle period. */
  public VerdictEvaluator(String bootstrapServers, TopicNames topics) {
    this(bootstrapServers, topics, -1, Duration.ZERO, Map.of(), () -> false);
  }

  private VerdictEvaluator(String bootstrapServers, TopicNames topics, long fromEpochMillis, Duration settle,
      Map<String, String> clientOverrides, BooleanSupplier stopWhen) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must be set, e.g. 127.0.0.1:9092");
    }
    if (topics == null) {
      throw new IllegalArgumentException("topics must not be null (use TopicNames.defaults())");
    }
    if (settle.isNegative()) {
      throw new IllegalArgumentException("settle period must be >= 0, got " + settle);
    }
    this.bootstrapServers = bootstrapServers;
    this.topics = topics;
    this.fromEpochMillis = fromEpochMillis;
    this.settle = settle;
    this.clientOverrides = Map.copyOf(clientOverrides);
    this.stopWhen = stopWhen;
  }

  /**
   * Starts each partition at the first record with a timestamp at or after {@code epochMillis},
   * to skip the outputs of earlier runs on a reused cluster. Output records carry their input's
   * timestamp, so pass a time from before this run's producer started.
   */
  public VerdictEvaluator fromTimestamp(long epochMillis) {
    return new VerdictEvaluator(bootstrapServers, topics, epochMillis, settle, clientOverrides, stopWhen);
  }

  /** After the expected count is reached, keeps reading this long to catch duplicates. */
  public VerdictEvaluator withSettle(Duration period) {
    return new VerdictEvaluator(bootstrapServers, topics, fromEpochMillis, period, clientOverrides, stopWhen);
  }

  /**
   * Ends {@link #evaluate} early, with an incomplete report, once {@code condition} holds: how a
   * run that was asked to stop (SIGTERM) stops waiting for samples that will not come.
   */
  public VerdictEvaluator stopWhen(BooleanSupplier condition) {
    return new VerdictEvaluator(bootstrapServers, topics, fromEpochMillis, settle, clientOverrides, condition);
  }

  /** Consumer settings (security: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}) over the evaluator's own. */
  public VerdictEvaluator withClientOverrides(Map<String, String> overrides) {
    return new VerdictEvaluator(bootstrapServers, topics, fromEpochMillis, settle, overrides, stopWhen);
  }

  /**
   * Reads until {@code expected} distinct samples have been decided (plus the settle period) or
   * {@code timeout} passes; {@code progress} gets the distinct count after each batch. Returns a
   * report either way: {@link DetectionReport#complete()} says which.
   */
  public DetectionReport evaluate(long expected, Duration timeout, LongConsumer progress) {
    return evaluate(expected, timeout, progress, new HashMap<>());
  }

  /**
   * As {@link #evaluate(long, Duration, LongConsumer)}, and puts into {@code readTo}, per credible
   * and quarantine partition, the offset after the last record it read: where a consumer of those
   * topics (the Beneficiary) has seen every verdict counted here.
   */
  public DetectionReport evaluate(long expected, Duration timeout, LongConsumer progress,
      Map<TopicPartition, Long> readTo) {
    if (expected < 0) {
      throw new IllegalArgumentException("expected must be >= 0, got " + expected);
    }
    long startNanos = System.nanoTime();
    long deadline = startNanos + timeout.toNanos();
    Map<String, Tally.Outcome> outcomeByTopic = Map.of(
        topics.credible(), Tally.Outcome.CREDIBLE,
        topics.quarantine(), Tally.Outcome.QUARANTINE,
        topics.deadLetter(), Tally.Outcome.DEAD_LETTER);
    Tally tally = new Tally();

    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : outcomeByTopic.keySet()) {
        partitions.addAll(partitionsOf(consumer, topic));
      }
      consumer.assign(partitions);
      seekToStart(consumer, partitions);

      boolean settling = false;
      long settleUntil = 0;
      long lastReported = -1;
      while (System.nanoTime() - deadline < 0 && !(settling && System.nanoTime() - settleUntil >= 0)
          && !stopWhen.getAsBoolean()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          Tally.Outcome outcome = outcomeByTopic.get(record.topic());
          add(tally, record, outcome);
          if (outcome != Tally.Outcome.DEAD_LETTER) {
            readTo.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
          }
        }
        long distinct = tally.distinct();
        if (distinct != lastReported) {
          progress.accept(distinct);
          lastReported = distinct;
        }
        if (!settling && distinct >= expected) {
          settling = true;
          settleUntil = System.nanoTime() + settle.toNanos();
        }
      }
    }
    return tally.report(expected, (System.nanoTime() - startNanos) / 1e9);
  }

  /**
   * Reads the retractions topic (committed records, from the beginning or {@link #fromTimestamp})
   * up to its end as it is when this is called, and counts them by the ground truth the filter
   * copied onto each from the sample's headers. Call it once the filter has finished re-judging
   * (see {@code FilterApp.rejudgedBy()}): what is written later is not counted.
   */
  public Retractions retractions(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long total = 0;
    long poisoned = 0;
    long clean = 0;
    Map<TopicPartition, Long> readTo = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
      List<TopicPartition> partitions = partitionsOf(consumer, topics.retractions());
      consumer.assign(partitions);
      seekToStart(consumer, partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, METADATA_TIMEOUT);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topics.retractions() + " to its end " + end
              + " within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          total++;
          Tally.Truth truth = truthOf(record);
          poisoned += truth == Tally.Truth.POISONED ? 1 : 0;
          clean += truth == Tally.Truth.CLEAN ? 1 : 0;
          readTo.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
        }
      }
    }
    return new Retractions(total, poisoned, clean, readTo);
  }

  private Properties consumerProperties() {
    // What the tally depends on stays as set: only committed verdicts, and no group offsets.
    Properties p = new Properties();
    p.putAll(KafkaClients.of(bootstrapServers, clientOverrides)
        .byDefault(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest").clientId("sieve-verdict-evaluator")
        .require(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
        .require(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
        .reader().build());
    return p;
  }

  private static List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("output topic " + topic + " does not exist; create Sieve's topics first"
          + " (TopicCatalog.ensureTopics) and point the evaluator at the same prefix as the filter");
    }
    List<TopicPartition> out = new ArrayList<>();
    for (PartitionInfo info : infos) {
      out.add(new TopicPartition(info.topic(), info.partition()));
    }
    return out;
  }

  private void seekToStart(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
    if (fromEpochMillis < 0) {
      consumer.seekToBeginning(partitions);
      return;
    }
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, fromEpochMillis));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, METADATA_TIMEOUT);
    List<TopicPartition> nothingNewer = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp at = found.get(tp);
      if (at == null) {
        nothingNewer.add(tp);
      } else {
        consumer.seek(tp, at.offset());
      }
    }
    // No record at or after the time yet: everything this run writes comes after the current end.
    consumer.seekToEnd(nothingNewer);
  }

  private void add(Tally tally, ConsumerRecord<byte[], byte[]> record, Tally.Outcome outcome) {
    String id = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    long decidedAt = -1;
    double entropy = Double.NaN;
    boolean decodable = true;
    try {
      if (outcome == Tally.Outcome.DEAD_LETTER) {
        DeadLetter dead = deadLetters.decode(record.value());
        decidedAt = dead.getFailedAt().toEpochMilli();
        if (id == null && dead.getRawKey() != null) {
          id = StandardCharsets.UTF_8.decode(dead.getRawKey().duplicate()).toString();
        }
      } else {
        Verdict verdict = verdicts.decode(record.value());
        decidedAt = verdict.getScoredAt().toEpochMilli();
        entropy = verdict.getEntropy();
        if (id == null) {
          id = verdict.getSample().getId();
        }
      }
    } catch (RuntimeException e) {
      decodable = false;
      decidedAt = record.timestamp();
    }
    if (id == null) {
      // Nothing names the sample; its position does, so it is counted but never a duplicate.
      id = "@" + record.topic() + "-" + record.partition() + "-" + record.offset();
    }
    tally.add(id, outcome, truthOf(record), producedAtOf(record), decidedAt, decodable, entropy);
  }

  private static Tally.Truth truthOf(ConsumerRecord<?, ?> record) {
    Header header = record.headers().lastHeader(Headers.GROUND_TRUTH);
    if (header == null || header.value() == null) {
      return Tally.Truth.UNKNOWN;
    }
    String value = new String(header.value(), StandardCharsets.UTF_8);
    if (Headers.TRUTH_POISONED.equals(value)) {
      return Tally.Truth.POISONED;
    }
    if (Headers.TRUTH_CLEAN.equals(value)) {
      return Tally.Truth.CLEAN;
    }
    return Tally.Truth.UNKNOWN;
  }

  private static long producedAtOf(ConsumerRecord<?, ?> record) {
    Header header = record.headers().lastHeader(Headers.PRODUCED_AT);
    if (header == null || header.value() == null) {
      return -1;
    }
    try {
      return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

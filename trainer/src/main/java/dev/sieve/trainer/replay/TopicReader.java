package dev.sieve.trainer.replay;

import dev.sieve.wire.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The replay's one consumer and what it reads: a model topic to its end, the samples topic's
 * offsets, and the replayed range of it, partition after partition, each in offset order.
 *
 * <p>The consumer uses {@code assign()} and no group id at all: it joins no group, commits
 * nothing, and so cannot move the live filter's offsets or trigger a rebalance of it. It reads
 * committed records only, like the filter.
 */
final class TopicReader implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);
  /** A partition that returns nothing for this long while its end is not reached is an error, not a wait. */
  private static final Duration STALL = Duration.ofSeconds(60);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  /** Receives the records of a range. */
  interface Handler {

    /** The next record inside the range. */
    void onRecord(ConsumerRecord<byte[], byte[]> record);

    /** A partition's span was read to its end; the records after this one are of another partition. */
    void onSpanEnd();
  }

  private final KafkaConsumer<byte[], byte[]> consumer;

  TopicReader(ReplayConfig config, String runId) {
    consumer = new KafkaConsumer<>(consumerConfig(config, runId), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  /**
   * The client settings come first and these last: whatever a shared client config file says,
   * replay joins no group (no group.id, so it can neither commit nor rebalance the live app),
   * reads committed records only, and fails rather than skips when its offsets are gone.
   */
  static Map<String, Object> consumerConfig(ReplayConfig config, String runId) {
    return KafkaClients.of(config.bootstrapServers(), config.clientOverrides()).require(ConsumerConfig.CLIENT_ID_CONFIG,
        "sieve-replay-" + runId).require(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none").reader().build();
  }

  /**
   * How many partitions {@code topic} has.
   *
   * @throws IllegalStateException when the topic does not exist: there is nothing to replay
   */
  static int partitionCount(Admin admin, String topic) {
    try {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return description.partitions().size();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new IllegalStateException("topic " + topic + " does not exist: there is nothing to replay"
            + " (check --bootstrap-servers and --topic-prefix)", e.getCause());
      }
      throw new IllegalStateException("cannot describe " + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + topic, e);
    }
  }

  /** Every record of a (small, compacted) topic, up to its end when asked; none when the topic has no partitions. */
  List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic) {
    List<TopicPartition> partitions = partitionsOf(topic);
    if (partitions.isEmpty()) {
      return List.of();
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    long deadline = System.nanoTime() + STALL.toNanos();
    while (!reached(end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not read " + topic + " to its end " + end + " within " + STALL);
      }
      consumer.poll(POLL).forEach(out::add);
    }
    consumer.unsubscribe();
    return out;
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private List<TopicPartition> partitionsOf(String topic) {
    var infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    return infos == null ? List.of()
        : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).sorted(
            (a, b) -> Integer.compare(a.partition(), b.partition())).toList();
  }

  /** The partitions' offsets as the range needs them; end offsets are read_committed (the last stable offset). */
  ReplayRange.PartitionOffsets offsets(String topic, int count) {
    List<Integer> partitions = new ArrayList<>();
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      partitions.add(p);
      tps.add(new TopicPartition(topic, p));
    }
    Map<Integer, Long> beginning = byPartition(consumer.beginningOffsets(tps, METADATA_TIMEOUT));
    Map<Integer, Long> end = byPartition(consumer.endOffsets(tps, METADATA_TIMEOUT));
    return ReplayRange.offsets(List.copyOf(partitions), beginning, end, time -> {
      Map<TopicPartition, Long> query = new HashMap<>();
      tps.forEach(tp -> query.put(tp, time.toEpochMilli()));
      Map<Integer, Long> out = new TreeMap<>();
      consumer.offsetsForTimes(query, METADATA_TIMEOUT).forEach((tp, found) -> {
        if (found != null) {
          out.put(tp.partition(), found.offset());
        }
      });
      return out;
    });
  }

  private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
    Map<Integer, Long> out = new TreeMap<>();
    offsets.forEach((tp, offset) -> out.put(tp.partition(), offset));
    return out;
  }

  /**
   * Hands every record of the spans to {@code handler}, span after span, each in offset order, and
   * reports the offsets read ({@code total} in all) to {@code listener}.
   *
   * @throws IllegalStateException when a partition returns nothing for a minute before its span's end
   */
  void read(String topic, List<ReplayRange.Span> spans, long total, ReplayListener listener, Handler handler) {
    long done = 0;
    for (ReplayRange.Span span : spans) {
      if (span.size() == 0) {
        continue;
      }
      TopicPartition tp = new TopicPartition(topic, span.partition());
      consumer.assign(List.of(tp));
      consumer.seek(tp, span.from());
      long lastPosition = span.from();
      long lastMoved = System.nanoTime();
      while (consumer.position(tp) < span.to()) {
        var polled = consumer.poll(POLL);
        for (ConsumerRecord<byte[], byte[]> record : polled.records(tp)) {
          if (record.offset() >= span.to()) {
            break;
          }
          handler.onRecord(record);
        }
        long position = Math.min(consumer.position(tp), span.to());
        if (position > lastPosition) {
          lastPosition = position;
          lastMoved = System.nanoTime();
        } else if (System.nanoTime() - lastMoved > STALL.toNanos()) {
          throw new IllegalStateException("no records from " + tp + " for " + STALL.toSeconds() + " s at offset "
              + position + ", before the replay's end " + span.to());
        }
        listener.onProgress(done + position - span.from(), total);
      }
      handler.onSpanEnd();
      done += span.size();
      if (lastPosition < span.to()) {
        listener.onProgress(done, total);
      }
    }
    consumer.unsubscribe();
  }

  @Override
  public void close() {
    consumer.close();
  }
}

package dev.sieve.trainer;

import dev.sieve.wire.KafkaClients;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.FluxSink.OverflowStrategy;
import reactor.core.publisher.Operators;

/**
 * Some topics (the Beneficiary reads credible and quarantine) as one backpressured reactor-core
 * {@link Flux} over a plain {@link KafkaConsumer}. One consumer for all of them means one
 * pause/resume decision: when the trainer falls behind, every partition of every topic stops.
 *
 * <p>Why not reactor-kafka: it was discontinued in May 2025 and is half-broken on kafka-clients
 * 4.x, which Sieve uses. What it would give here is small: a poll thread that honours Reactive
 * Streams demand. This class is that.
 *
 * <p>Threading: a KafkaConsumer is not thread-safe, so one dedicated thread creates, polls,
 * pauses, seeks and closes it. Other threads only ever call {@link KafkaConsumer#wakeup()}, the
 * one method documented as safe to call from anywhere.
 *
 * <p>Backpressure: the poll thread keeps the records it polled in a local queue and emits them
 * only against the demand signalled through {@code sink.onRequest}, so the {@code BUFFER}
 * overflow queue of the sink stays empty. The demand is counted here rather than read from
 * {@code sink.requestedFromDownstream()}, which only drops once an item has been delivered and
 * so overstates the demand while another thread is draining the sink. When downstream demand is exhausted, or the local queue reaches the
 * high-water mark, it pauses every assigned partition. It keeps calling {@code poll()} while
 * paused, which returns nothing but keeps the consumer in its group (a consumer that stops
 * polling is evicted after {@code max.poll.interval.ms}). When demand returns it resumes. The
 * local queue therefore never holds more than {@code highWaterMark + max.poll.records} records,
 * however many wait in Kafka.
 *
 * <p>Positions: offsets are never committed to Kafka ({@code enable.auto.commit=false}); the
 * subscriber keeps them with what it derived from the records (the Beneficiary keeps them in its
 * checkpoint) and passes them back as {@code startOffsets}. On assignment each partition is sought
 * to the offset after the last record this flux emitted, else to its start offset, else it
 * starts at the earliest record ({@code auto.offset.reset=earliest}).
 *
 * <p>A VerdictFlux can be subscribed once; cancelling the subscription stops the thread and
 * closes the consumer (which leaves the group at once, so a successor gets the partitions
 * without waiting for a session timeout).
 */
public final class VerdictFlux {

  private static final Logger LOG = LoggerFactory.getLogger(VerdictFlux.class);
  /** While paused this bounds how late a resume can be; demand arriving wakes the poll early. */
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final Map<String, Object> consumerConfig;
  private final List<String> topics;
  /** For log lines and the thread name: the topics, comma-separated. */
  private final String topicNames;
  private final Map<TopicPartition, Long> startOffsets;
  private final int highWaterMark;

  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong demand = new AtomicLong();
  private final AtomicLong emitted = new AtomicLong();
  private final Object consumerLock = new Object();
  private KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean running = true;
  private volatile boolean paused;
  private volatile int buffered;
  private volatile long lag;
  private volatile long pauses;
  private volatile boolean assigned;
  private volatile long lastActivityNanos = System.nanoTime();

  /**
   * @param consumerConfig KafkaConsumer settings; those this class depends on (deserialisers,
   *     read_committed, no auto-commit, earliest reset) are forced
   * @param topics the topics to read, at least one
   * @param startOffsets next offset to read per partition (of any of the topics), e.g. from the
   *     last checkpoint
   * @param highWaterMark locally held records at which the consumer pauses
   */
  public VerdictFlux(Map<String, Object> consumerConfig, List<String> topics, Map<TopicPartition, Long> startOffsets,
      int highWaterMark) {
    if (highWaterMark < 1) {
      throw new IllegalArgumentException("highWaterMark must be >= 1, got " + highWaterMark);
    }
    if (topics == null || topics.isEmpty()) {
      throw new IllegalArgumentException("topics must name at least one topic, got " + topics);
    }
    Map<String, Object> config = new HashMap<>(consumerConfig);
    // Only committed transactions: the filter writes its verdicts with exactly-once, and records
    // of an aborted transaction must never be trained on.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Positions live in the checkpoint, next to the weights they produced; a committed group
    // offset could run ahead of (or behind) the weights after a crash.
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumerConfig = Map.copyOf(config);
    this.topics = List.copyOf(topics);
    this.topicNames = String.join(",", topics);
    this.startOffsets = Map.copyOf(startOffsets);
    this.highWaterMark = highWaterMark;
  }

  /** Consumer settings for a group member of {@code groupId} on {@code bootstrapServers}. */
  public static Map<String, Object> consumerConfig(String bootstrapServers, String groupId, int maxPollRecords) {
    return consumerConfig(bootstrapServers, groupId, maxPollRecords, Map.of());
  }

  /** As {@link #consumerConfig(String, String, int)}, then {@code clientOverrides} (security) on top. */
  public static Map<String, Object> consumerConfig(String bootstrapServers, String groupId, int maxPollRecords,
      Map<String, String> clientOverrides) {
    return KafkaClients.of(bootstrapServers, clientOverrides).byDefault(ConsumerConfig.GROUP_ID_CONFIG, groupId)
        .byDefault(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords).clientId(groupId + "-verdicts").build();
  }

  public List<String> topics() {
    return topics;
  }

  public int highWaterMark() {
    return highWaterMark;
  }

  /**
   * The records of the topics, each partition in order. Subscribing starts the poll thread; a second
   * subscription is refused with an error signal, because one consumer cannot feed two streams.
   */
  public Flux<ConsumerRecord<byte[], byte[]>> flux() {
    return Flux.create(sink -> {
      if (!subscribed.compareAndSet(false, true)) {
        sink.error(new IllegalStateException("VerdictFlux of " + topicNames
            + " is already subscribed: create a new one for a second subscriber"));
        return;
      }
      PollLoop loop = new PollLoop(sink);
      sink.onRequest(loop::demandArrived);
      sink.onDispose(loop::stop);
      Thread thread = new Thread(loop, "verdict-poll-" + topicNames);
      thread.setDaemon(true);
      thread.start();
    }, OverflowStrategy.BUFFER);
  }

  /** Whether the consumer's partitions are paused because downstream cannot take more. */
  public boolean paused() {
    return paused;
  }

  /** Records polled from Kafka but not yet emitted downstream. */
  public int buffered() {
    return buffered;
  }

  /**
   * Records in Kafka beyond the consumer's position, summed over its partitions, as of the last
   * poll (0 where the broker has not told it yet).
   */
  public long lag() {
    return lag;
  }

  /** Runs on the poll thread: KafkaConsumer is single-threaded, so the lag is read where it polls. */
  private static long lagOf(KafkaConsumer<byte[], byte[]> c) {
    long sum = 0;
    for (TopicPartition tp : c.assignment()) {
      sum += c.currentLag(tp).orElse(0);
    }
    return sum;
  }

  /** Records emitted downstream so far. */
  public long emitted() {
    return emitted.get();
  }

  /** How many times the consumer paused (a pause lasting several polls counts once). */
  public long pauses() {
    return pauses;
  }

  /** Whether the group has assigned partitions to this consumer at least once. */
  public boolean assigned() {
    return assigned;
  }

  /**
   * How long the consumer has been empty-handed: polled while not paused, with nothing held
   * locally, and got no record. Zero until the first assignment, while paused, and while holding
   * records, because records may then still be waiting in Kafka.
   */
  public Duration quietFor() {
    if (!assigned) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(System.nanoTime() - lastActivityNanos);
  }

  /** Waits until the poll thread has closed the consumer; true if it did within the timeout. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return !subscribed.get() || stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void wakeConsumer() {
    synchronized (consumerLock) {
      if (consumer != null) {
        consumer.wakeup();
      }
    }
  }

  /** Everything that touches the KafkaConsumer runs on the thread that runs this. */
  private final class PollLoop implements Runnable {

    private final FluxSink<ConsumerRecord<byte[], byte[]>> sink;
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = new ArrayDeque<>();
    /** Offset after the last emitted record, per partition: where a re-assignment must resume. */
    private final Map<TopicPartition, Long> nextToEmit = new HashMap<>();

    PollLoop(FluxSink<ConsumerRecord<byte[], byte[]>> sink) {
      this.sink = sink;
    }

    void demandArrived(long n) {
      demand.getAndUpdate(d -> Operators.addCap(d, n));
      if (paused) {
        // Cuts a paused poll short so that emission resumes without waiting for POLL_TIMEOUT.
        wakeConsumer();
      }
    }

    void stop() {
      running = false;
      wakeConsumer();
    }

    @Override
    public void run() {
      KafkaConsumer<byte[], byte[]> c = null;
      try {
        c = new KafkaConsumer<>(consumerConfig);
        synchronized (consumerLock) {
          consumer = c;
        }
        c.subscribe(topics, new Rebalance(c));
        while (running) {
          emitAgainstDemand();
          applyBackpressure(c);
          ConsumerRecords<byte[], byte[]> records;
          try {
            records = c.poll(POLL_TIMEOUT);
          } catch (WakeupException e) {
            continue;
          }
          records.forEach(queue::add);
          buffered = queue.size();
          lag = lagOf(c);
          if (!records.isEmpty() || paused || !queue.isEmpty()) {
            lastActivityNanos = System.nanoTime();
          }
        }
      } catch (RuntimeException | Error e) {
        if (running) {
          LOG.error("consumer of {} failed; the stream ends with this error", topicNames, e);
          running = false;
          sink.error(e);
        }
      } finally {
        synchronized (consumerLock) {
          consumer = null;
        }
        if (c != null) {
          closeQuietly(c);
        }
        queue.clear();
        buffered = 0;
        stopped.countDown();
      }
    }

    private void emitAgainstDemand() {
      while (running && !queue.isEmpty() && demand.get() > 0) {
        ConsumerRecord<byte[], byte[]> record = queue.poll();
        nextToEmit.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        demand.getAndUpdate(d -> d == Long.MAX_VALUE ? d : d - 1);
        emitted.incrementAndGet();
        sink.next(record);
      }
      buffered = queue.size();
    }

    private void applyBackpressure(KafkaConsumer<byte[], byte[]> c) {
      boolean hold = demand.get() == 0 || queue.size() >= highWaterMark;
      if (hold) {
        Set<TopicPartition> assignment = c.assignment();
        // Re-applied every round: partitions assigned by a rebalance start out resumed.
        c.pause(assignment);
        if (!paused) {
          paused = true;
          pauses++;
          LOG.debug("pausing {} partitions of {}: demand {}, {} records held (high-water mark {})",
              assignment.size(), topicNames, demand.get(), queue.size(), highWaterMark);
        }
      } else if (paused) {
        c.resume(c.paused());
        paused = false;
        LOG.debug("resuming {}: demand {}, {} records held", topicNames, demand.get(), queue.size());
      }
    }

    private void closeQuietly(KafkaConsumer<byte[], byte[]> c) {
      try {
        c.close();
      } catch (RuntimeException e) {
        LOG.warn("consumer of {} did not close cleanly: {}", topicNames, e.toString());
      }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

      private final KafkaConsumer<byte[], byte[]> c;

      Rebalance(KafkaConsumer<byte[], byte[]> c) {
        this.c = c;
      }

      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // Held records of a revoked partition were never emitted: drop them, so that whoever
        // gets the partition (this consumer again, after an eager rebalance) reads them anew
        // from the position sought in onPartitionsAssigned.
        queue.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        buffered = queue.size();
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
          Long emittedUpTo = nextToEmit.get(tp);
          Long start = emittedUpTo != null ? emittedUpTo : startOffsets.get(tp);
          if (start != null) {
            c.seek(tp, start);
            LOG.info("{} assigned: resuming at offset {} ({})", tp, start,
                emittedUpTo != null ? "after the last record emitted" : "from the checkpoint");
          } else {
            LOG.info("{} assigned: no checkpointed offset, reading from the earliest record", tp);
          }
        }
        assigned = true;
        lastActivityNanos = System.nanoTime();
      }
    }
  }
}

package dev.sieve.loadtest.load;

import dev.sieve.wire.Headers;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Measures end-to-end latency, from a sample's send time ({@link Headers#PRODUCED_AT}) to the
 * moment its committed verdict can be read from credible or quarantine, into an HdrHistogram.
 *
 * <p>It reads with {@code read_committed}, because under exactly-once a verdict exists for a
 * downstream reader only once its transaction commits; the commit interval is part of the latency
 * a user sees. It starts at the end of both topics, so only verdicts of this run count, and it
 * needs no consumer group (it assigns partitions), so it never disturbs anyone's offsets.
 */
public final class VerdictLatency implements AutoCloseable {

  /** Latencies are recorded in milliseconds, up to an hour, with 3 significant digits. */
  private static final long MAX_TRACKABLE_MS = 3_600_000L;

  /** One interval: its latency histogram (ms) and the verdicts and value bytes read in it. */
  public record Interval(Histogram latencyMs, long verdicts, long bytes) {}

  private final Recorder recorder = new Recorder(MAX_TRACKABLE_MS, 3);
  private final AtomicLong verdicts = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong missingHeader = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;
  private long lastVerdicts;
  private long lastBytes;

  public VerdictLatency(String bootstrapServers, TopicNames topics, Map<String, String> clientOverrides) {
    Map<String, Object> props = KafkaClients.of(bootstrapServers, clientOverrides)
        .require(ConsumerConfig.CLIENT_ID_CONFIG, "sieve-loadtest-latency")
        .require(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000").reader().build();
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(topics.credible(), topics.quarantine())) {
      consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // pin "the end" now, before the load starts
    thread = new Thread(this::pollLoop, "sieve-loadtest-latency");
    thread.setDaemon(true);
    thread.start();
  }

  private void pollLoop() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.currentTimeMillis();
          Header sent = r.headers().lastHeader(Headers.PRODUCED_AT);
          if (sent == null) {
            missingHeader.incrementAndGet();
            continue;
          }
          long latency = now - Long.parseLong(new String(sent.value(), StandardCharsets.UTF_8));
          recorder.recordValue(Math.max(0, Math.min(MAX_TRACKABLE_MS, latency)));
          verdicts.incrementAndGet();
          bytes.addAndGet(r.value() == null ? 0 : r.value().length);
        }
      }
    } catch (WakeupException e) {
      // close() woke us
    } catch (RuntimeException | Error e) {
      failure.set(e);
    } finally {
      consumer.close();
    }
  }

  /** Everything recorded since the last call (or since the start). */
  public synchronized Interval interval() {
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("the latency reader failed: " + t, t);
    }
    Histogram h = recorder.getIntervalHistogram();
    long v = verdicts.get();
    long b = bytes.get();
    Interval out = new Interval(h, v - lastVerdicts, b - lastBytes);
    lastVerdicts = v;
    lastBytes = b;
    return out;
  }

  /** Verdicts read so far. */
  public long verdicts() {
    return verdicts.get();
  }

  /** Verdicts without a send-time header (not produced by the load driver), skipped. */
  public long withoutSendTime() {
    return missingHeader.get();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

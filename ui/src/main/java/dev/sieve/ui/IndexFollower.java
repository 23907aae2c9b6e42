package dev.sieve.ui;

import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link QuarantineIndex} up to date: one background thread reads the quarantine, credible
 * and audit topics from the beginning, read_committed, and for ever.
 *
 * <p>The partitions are assigned, not subscribed through a consumer group: every view must see
 * every partition and always start from the beginning, so a group (with its rebalances and
 * committed offsets) would only get in the way. Records that cannot be decoded are counted and
 * skipped; the view must not die on one bad record.
 */
final class IndexFollower implements AutoCloseable, QuarantineHttpHandler.FollowerStatus {

  private static final Logger LOG = LoggerFactory.getLogger(IndexFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final QuarantineIndex index;
  private final TopicNames topics;
  private final AvroSerde<Verdict> verdicts = AvroSerde.verdict();
  private final AvroSerde<AuditRecord> audits = AvroSerde.auditRecord();
  private final Thread thread;
  private final AtomicLong undecodable = new AtomicLong();
  private final AtomicLong recordsRead = new AtomicLong();
  private volatile Map<TopicPartition, Long> startEnds = Map.of();
  private volatile boolean caughtUp;
  private volatile Throwable failure;
  private volatile boolean closing;
  private boolean started;

  IndexFollower(String bootstrap, TopicNames topics, Map<String, String> clientOverrides, QuarantineIndex index) {
    this.index = index;
    this.topics = topics;
    Map<String, Object> props = KafkaClients.of(bootstrap, clientOverrides)
        .require(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .require(ConsumerConfig.CLIENT_ID_CONFIG, "sieve-ui-follower").reader().build();
    this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "sieve-ui-follower");
    this.thread.setDaemon(true);
  }

  void start() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(topics.quarantine(), topics.credible(), topics.audit())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist; create Sieve's topics first");
      }
      infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    // With read_committed, endOffsets is the last stable offset: where "everything written before
    // the view started" ends.
    startEnds = Map.copyOf(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
    thread.start();
    started = true;
  }

  /** Whether everything on the topics when the view started has been read. */
  @Override
  public boolean caughtUp() {
    return caughtUp;
  }

  @Override
  public long undecodable() {
    return undecodable.get();
  }

  @Override
  public long recordsRead() {
    return recordsRead.get();
  }

  @Override
  public Throwable failure() {
    return failure;
  }

  private void run() {
    try {
      while (!closing) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          apply(record);
        }
        if (!caughtUp && startEnds.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp = true;
          LOG.info("quarantine view caught up: {} records read, {} quarantined samples indexed",
              recordsRead.get(), index.size());
        }
      }
    } catch (WakeupException | InterruptException e) {
      if (!closing) {
        failure = e;
      }
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("quarantine view stopped reading the topics: {}", e.toString(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    recordsRead.incrementAndGet();
    if (record.value() == null) {
      return;
    }
    try {
      if (record.topic().equals(topics.audit())) {
        index.applyAudit(audits.decode(record.value()));
        return;
      }
      Verdict verdict = verdicts.decode(record.value());
      if (record.topic().equals(topics.quarantine())) {
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(headers::add);
        index.addQuarantined(verdict, source(record), headers);
      } else if (record.headers().lastHeader(Headers.AUDIT_ACTION) == null) {
        // Credible verdicts a person released are counted from the audit topic, not as the filter's.
        index.countCredible(verdict.getSample().getLabel());
      }
    } catch (SerializationException e) {
      long n = undecodable.incrementAndGet();
      if (n <= 10 || Long.bitCount(n) == 1) {
        LOG.warn("skipping undecodable record {} ({} so far): {}", source(record), n, e.getMessage());
      }
    }
  }

  static String source(ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }

  @Override
  public void close() {
    closing = true;
    if (!started) {
      consumer.close(Duration.ofSeconds(5));
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

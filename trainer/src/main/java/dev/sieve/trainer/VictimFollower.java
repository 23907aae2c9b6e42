package dev.sieve.trainer;

import dev.sieve.model.checkpoint.VictimModel;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted victim-models topic for the Beneficiary and hands over each newer version
 * of one Victim, loaded and verified ({@link VictimModel#load}: sha256, architecture, split).
 *
 * <p>It reads the topic from the beginning every time it starts (the topic is compacted, so that
 * is a few records), so a restarted trainer gets the newest Victim at once. Of the versions found
 * in one poll only the newest is loaded: the older ones would be replaced at once. A version
 * that fails to load is logged with the reason and not tried again; the trainer keeps the Victim
 * it has. Loading happens on this follower's own thread, so a slow disk never stalls training;
 * the receiver owns (and must close) each {@link VictimModel} it is handed.
 */
final class VictimFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(VictimFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);
  /** How long to wait between looks for a victim-models topic that does not exist yet. */
  private static final Duration TOPIC_RETRY = Duration.ofSeconds(1);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(15);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final String modelId;
  private final Consumer<VictimModel> receiver;
  private final BiConsumer<ModelVersion, String> refusals;
  /** Opens once everything on the topic when the follower started has been handed over or refused. */
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean started;
  /** The newest version handed over or refused: nothing at or below it is loaded again. */
  private long newestSeen;

  /**
   * @param clientOverrides extra consumer settings (security), applied over the follower's own
   * @param newerThan versions at or below this one are ignored (the Victim the receiver already has)
   * @param receiver called on the follower's thread with each loaded version, in increasing order
   * @param refusals called on the follower's thread with each version that failed to load, and why
   */
  VictimFollower(String bootstrapServers, String topic, String modelId, String clientId,
      Map<String, String> clientOverrides, long newerThan, Consumer<VictimModel> receiver,
      BiConsumer<ModelVersion, String> refusals) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.putAll(clientOverrides);
    // The Victim updater publishes plainly today; read_committed keeps an aborted version out
    // should it ever publish transactionally.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.modelId = modelId;
    this.newestSeen = newerThan;
    this.receiver = receiver;
    this.refusals = refusals;
    this.thread = new Thread(this::run, "victim-follower-" + topic);
    this.thread.setDaemon(true);
  }

  void start() {
    started = true;
    thread.start();
  }

  private void run() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      if (partitions.isEmpty()) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
      LOG.info("following {} for versions of {} newer than v{}", topic, modelId, newestSeen);
      while (running) {
        ModelVersion newest = null;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          ModelVersion version = decode(record);
          if (version != null && version.getModelId().equals(modelId) && version.getVersion() > newestSeen
              && (newest == null || version.getVersion() > newest.getVersion())) {
            newest = version;
          }
        }
        if (newest != null) {
          newestSeen = newest.getVersion();
          load(newest);
        }
        if (caughtUp.getCount() > 0 && reached(endAtStart)) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        LOG.error("victim follower of {} woken up while running; it stops and the trainer keeps its Victim", topic, e);
      }
    } catch (RuntimeException e) {
      LOG.error("victim follower of {} stopped: {}; the trainer keeps its Victim", topic, e.toString(), e);
    } finally {
      // Whoever waits for the catch-up must not wait for a follower that has stopped.
      caughtUp.countDown();
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits until every version that was on the topic when the follower started has been handed
   * over or refused; true if that happened within {@code timeout}. While the topic does not
   * exist there is nothing to wait for.
   */
  boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The topic's partitions, waiting while it does not exist yet; empty if stopped first. */
  private List<TopicPartition> awaitPartitions() {
    boolean warned = false;
    while (running) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      if (!partitions.isEmpty()) {
        return partitions;
      }
      if (!warned) {
        LOG.warn("topic {} does not exist yet: training without a Victim until it does", topic);
        warned = true;
        caughtUp.countDown();
      }
      try {
        Thread.sleep(TOPIC_RETRY.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
    return List.of();
  }

  private ModelVersion decode(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return null;
    }
    try {
      return serde.decode(record.value());
    } catch (RuntimeException e) {
      LOG.error("ignoring record {}-{}@{}: not a ModelVersion: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      return null;
    }
  }

  private void load(ModelVersion version) {
    long started = System.nanoTime();
    VictimModel loaded;
    try {
      loaded = VictimModel.load(version);
    } catch (RuntimeException e) {
      LOG.error("refusing {} v{} from {}: {}; the trainer keeps its current Victim", version.getModelId(),
          version.getVersion(), version.getCheckpointUri(), e.getMessage());
      refusals.accept(version, e.getMessage());
      return;
    }
    LOG.info("loaded {} v{} in {} ms: {}", loaded.modelId(), loaded.version(),
        (System.nanoTime() - started) / 1_000_000, loaded.split());
    receiver.accept(loaded);
  }

  /** Stops following and waits for the thread to close its consumer. */
  @Override
  public void close() {
    running = false;
    if (!started) {
      caughtUp.countDown();
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      thread.join(JOIN_TIMEOUT.toMillis());
      if (thread.isAlive()) {
        LOG.warn("victim follower of {} did not stop within {} s", topic, JOIN_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.sieve.model.versions;

import dev.sieve.model.scoring.VictimModel;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.KafkaClients;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted victim-models topic and hands over each newer version of one Victim that
 * {@link ModelTrust} accepts, loaded and verified ({@link ModelTrust#load}). The stream app
 * installs what it hands over into its registry, the Beneficiary adopts it between batches, replay
 * does not follow at all; all of them refuse the same versions for the same reasons.
 *
 * <p>It reads the topic from the beginning every time it starts (the topic is compacted, so that
 * is a few records), so a restarted process gets the newest Victim at once. Of the versions in one
 * poll it tries the newest first and falls back to older ones, so a forged record with a huge
 * version cannot hide the real one published beside it; a refused version never moves the
 * installed version, so it cannot block later ones either. Loading happens on this follower's own
 * thread, so a slow disk never stalls scoring or training; the receiver owns (and must close) each
 * {@link VictimModel} it is handed.
 */
public final class VictimFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(VictimFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);
  /** How long to wait between looks for a victim-models topic that does not exist yet. */
  private static final Duration TOPIC_RETRY = Duration.ofSeconds(1);
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(15);
  /** Refusals kept for {@link #refusals()}; older ones are only in the log. */
  static final int KEPT_REFUSALS = 32;

  /** Which check a refused record failed, for a metric's tag. */
  public enum RefusalKind {
    /** The record is not a decodable ModelVersion (checkpointUri then names where it was). */
    UNDECODABLE,
    /** Its signature or its version number ({@link ModelTrust#refusal}). */
    UNTRUSTED,
    /** Its checkpoint: outside the root, missing, too large, wrong sha256, or disagreeing with the message. */
    UNLOADABLE
  }

  /**
   * A version that was published but not handed over.
   *
   * @param modelId the model id of the published version
   * @param version its version number (-1 for an undecodable record)
   * @param checkpointUri where it said its weights are
   * @param kind which check it failed
   * @param reason why it was refused, as logged
   */
  public record Refusal(String modelId, long version, String checkpointUri, RefusalKind kind, String reason) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final String modelId;
  private final ModelTrust trust;
  private final Consumer<VictimModel> receiver;
  private final Consumer<Refusal> refusalListener;
  /** Opens once everything on the topic when the follower started has been handed over or refused. */
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();
  private final Deque<Refusal> refusals = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean started;
  private volatile String failure;
  /** The version handed over last (or the receiver's own at the start); a refusal never moves it. */
  private volatile Optional<Long> installed;

  /**
   * @param clientId the consumer's client id
   * @param clientOverrides extra consumer settings (security), applied over the follower's own
   *     except the two it depends on (read_committed, no auto-commit)
   * @param newerThan the version the receiver already has, if any: only newer ones are handed over
   * @param receiver called on the follower's thread with each loaded version, in increasing order
   * @param refusalListener called on the follower's thread with each version that was refused
   */
  public VictimFollower(String bootstrapServers, String topic, String modelId, String clientId,
      Map<String, String> clientOverrides, ModelTrust trust, Optional<Long> newerThan,
      Consumer<VictimModel> receiver, Consumer<Refusal> refusalListener) {
    // read_committed keeps an aborted version out should a publisher ever publish transactionally.
    this.consumer = new KafkaConsumer<>(KafkaClients.of(bootstrapServers, clientOverrides).clientId(clientId).reader()
        .build(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.modelId = modelId;
    this.trust = trust;
    this.installed = newerThan;
    this.receiver = receiver;
    this.refusalListener = refusalListener;
    this.thread = new Thread(this::run, "sieve-victim-follower-" + topic);
    this.thread.setDaemon(true);
  }

  public void start() {
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
      LOG.info("following {} for versions of {} newer than {} (checkpoints under {}, {})", topic, modelId,
          installed.map(v -> "v" + v).orElse("none"), trust.checkpointRoot(),
          trust.signingKey().map(k -> "signed by key " + k.id()).orElse("no signing key: versions are not authenticated"));
      while (running) {
        List<ModelVersion> candidates = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          ModelVersion version = decode(record);
          if (version != null && version.getModelId().equals(modelId)) {
            candidates.add(version);
          }
        }
        handOverNewest(candidates);
        if (caughtUp.getCount() > 0 && reached(endAtStart)) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        failure = "woken up while running: " + e;
        LOG.error("victim follower of {} woken up while running; the current Victim stays", topic, e);
      }
    } catch (RuntimeException | Error e) {
      failure = e.toString();
      LOG.error("victim follower of {} stopped: {}; the current Victim stays", topic, e.toString(), e);
      if (e instanceof Error error) {
        throw error;
      }
    } finally {
      // Whoever waits for the catch-up must not wait for a follower that has stopped.
      caughtUp.countDown();
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Tries the newer versions of one poll, newest first, until one is accepted and loaded; the ones
   * tried before it are refused with their reasons, the older ones are superseded.
   */
  private void handOverNewest(List<ModelVersion> candidates) {
    candidates.sort(Comparator.comparingLong(ModelVersion::getVersion).reversed());
    for (ModelVersion version : candidates) {
      Optional<Long> current = installed;
      if (current.isPresent() && version.getVersion() <= current.get()) {
        return;
      }
      Optional<String> refusal = trust.refusal(version, current);
      if (refusal.isPresent()) {
        refuse(version, RefusalKind.UNTRUSTED, refusal.get());
        continue;
      }
      long started = System.nanoTime();
      VictimModel loaded;
      try {
        loaded = trust.load(version);
      } catch (RuntimeException e) {
        refuse(version, RefusalKind.UNLOADABLE, String.valueOf(e.getMessage()));
        continue;
      }
      LOG.info("loaded {} v{} in {} ms: {}", loaded.modelId(), loaded.version(),
          (System.nanoTime() - started) / 1_000_000, loaded.split());
      installed = Optional.of(loaded.version());
      receiver.accept(loaded);
      return;
    }
  }

  private void refuse(ModelVersion version, RefusalKind kind, String reason) {
    LOG.error("refusing {} v{} from {}: {}; the current Victim stays", version.getModelId(), version.getVersion(),
        version.getCheckpointUri(), reason);
    remember(new Refusal(version.getModelId(), version.getVersion(), version.getCheckpointUri(), kind, reason));
  }

  private void remember(Refusal refusal) {
    synchronized (refusals) {
      if (refusals.size() == KEPT_REFUSALS) {
        refusals.removeFirst();
      }
      refusals.addLast(refusal);
    }
    try {
      refusalListener.accept(refusal);
    } catch (RuntimeException e) {
      LOG.warn("refusal listener failed for {} v{}", refusal.modelId(), refusal.version(), e);
    }
  }

  private ModelVersion decode(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return null;
    }
    try {
      return serde.decode(record.value());
    } catch (RuntimeException e) {
      String where = record.topic() + "-" + record.partition() + "@" + record.offset();
      LOG.error("ignoring record {}: not a ModelVersion: {}", where, e.getMessage());
      remember(new Refusal(modelId, -1, where, RefusalKind.UNDECODABLE, "not a ModelVersion: " + e.getMessage()));
      return null;
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
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
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
        LOG.warn("topic {} does not exist yet: no Victim until it does", topic);
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

  /** The most recent refusals, oldest first (at most {@value #KEPT_REFUSALS}). */
  public List<Refusal> refusals() {
    synchronized (refusals) {
      return List.copyOf(refusals);
    }
  }

  /**
   * Why the follower is not following, for a health check: it was started and its thread has
   * stopped without being closed. Empty while it follows (or before it is started).
   */
  public Optional<String> failure() {
    if (!started || !running) {
      return Optional.empty();
    }
    if (failure != null) {
      return Optional.of("victim follower of " + topic + " stopped: " + failure);
    }
    return thread.isAlive() ? Optional.empty() : Optional.of("victim follower of " + topic + " is not running");
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

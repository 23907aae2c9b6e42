package dev.sieve.stream.updater;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.VictimTraining;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.topology.SampleValidator;
import dev.sieve.stream.topology.Validation;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.ModelSigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Keeps the Victim current, as V&amp;B does, on a live stream: it reads the samples topic itself
 * (never the ground-truth header), warms up on the head of the stream, runs a few
 * suspicious-set rounds, publishes the first version, and from then on runs another round and
 * publishes another version whenever enough new samples have arrived.
 *
 * <p>It is a separate reader of the samples topic, not part of the Streams topology, because
 * training takes seconds and must never stall routing. Run exactly one updater per pipeline: the
 * versions it publishes are the single source of truth for every stream instance. It reads
 * without a consumer group and rebuilds its window from the tail of the topic on start, so a
 * restart costs one window re-read, not a re-warm-up: it continues from the last published
 * weights.
 */
public final class VictimUpdater implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(VictimUpdater.class);

  /** What the updater is doing, for progress output. */
  public enum Phase { COLLECTING_HEAD, WARMING_UP, PUBLISHED }

  /** The Victim's architecture for the default data set, Fashion-MNIST; {@link #architectureFor} for any other. */
  public static final Architecture ARCHITECTURE = Architecture.FMNIST_CNN_V1;

  /** The Victim's layers: the configured family, for the filter's image shape and class count. */
  public static Architecture architectureFor(VictimUpdaterConfig config, FilterConfig filter) {
    return Architecture.forDataset(config.family(), filter.shape());
  }

  private final VictimUpdaterConfig config;
  private final SampleValidator validator;
  private final SplitPolicy policy;
  private final Architecture architecture;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final CheckpointStore store;
  private final ModelPublisher publisher;
  private final VictimSchedule schedule;
  /** Training stops at its next batch once cancelled, so this is only a guard. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Consumer<ModelVersion>> listeners = new ArrayList<>();
  private final Thread thread;

  private volatile Phase phase = Phase.COLLECTING_HEAD;
  private volatile boolean started;
  private volatile String failure;
  private volatile long version;
  /** Valid samples read so far, and how many had been read when the last version was fitted. */
  private volatile long samplesRead;
  private volatile long samplesReadAtLastVersion = -1;
  private long lastSampleAtNanos = System.nanoTime();

  /** @param signingKey signs every version published, when present (see ModelSigningKey) */
  public VictimUpdater(String bootstrapServers, VictimUpdaterConfig config, FilterConfig filter, SplitPolicy policy,
      Map<String, Object> clientOverrides, Optional<ModelSigningKey> signingKey) {
    this.config = config;
    this.validator = new SampleValidator(filter);
    this.policy = policy;
    this.architecture = architectureFor(config, filter);
    this.schedule = new VictimSchedule(config.plan(), policy, architecture);

    this.consumer = new KafkaConsumer<>(KafkaClients.of(bootstrapServers, clientOverrides)
        .clientId("sieve-victim-updater-" + UUID.randomUUID()).byDefault(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000)
        .reader().build(), new ByteArrayDeserializer(), new ByteArrayDeserializer());

    this.store = new CheckpointStore(config.checkpointDir());
    this.publisher = new ModelPublisher(bootstrapServers, config.topics().victimModels(),
        "sieve-victim-publisher-" + UUID.randomUUID(), clientOverrides, signingKey);
    this.thread = new Thread(this::run, "sieve-victim-updater");
    this.thread.setDaemon(true);
  }

  /** Hears every version this updater publishes. Register before {@link #start()}. */
  public VictimUpdater onPublished(Consumer<ModelVersion> listener) {
    listeners.add(listener);
    return this;
  }

  public void start() {
    started = true;
    thread.start();
  }

  /**
   * Why the updater is not updating, for a health check: its thread stopped without being closed.
   * Empty while it runs (or before it is started, or once closed).
   */
  public Optional<String> failure() {
    if (!started || !running.get()) {
      return Optional.empty();
    }
    if (failure != null) {
      return Optional.of("Victim updater stopped: " + failure);
    }
    return thread.isAlive() ? Optional.empty() : Optional.of("Victim updater is not running");
  }

  public Phase phase() {
    return phase;
  }

  public int windowSize() {
    return schedule.windowSize();
  }

  /** Valid samples read so far (including the window re-read on a restart). */
  public long samplesRead() {
    return samplesRead;
  }

  /** How this updater trains: its head ({@code warmupSamples}, {@code minWarmupSamples}, {@code warmupIdle}) among others. */
  public VictimSchedule.Plan plan() {
    return config.plan();
  }

  /** The last version this updater published (or resumed from); 0 before the first. */
  public long version() {
    return version;
  }

  /**
   * Whether the updater has read at least {@code samples} valid samples and published a version
   * after the last one it read: once a stream has ended, no further version is coming (the final
   * round on the tail of the stream runs after {@code roundIdle} of quiet).
   */
  public boolean caughtUp(long samples) {
    long read = samplesRead;
    return read >= samples && samplesReadAtLastVersion == read;
  }

  private void run() {
    try {
      resumeFromLastCheckpoint();
      List<TopicPartition> partitions = consumer.partitionsFor(config.topics().samples(), Duration.ofSeconds(30))
          .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      seekToWindowTail(partitions);
      while (running.get()) {
        List<LabeledSample> batch = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          // Only the validated sample is used; headers (the ground truth among them) are never read.
          if (validator.validate(record.key(), record.value()) instanceof Validation.Valid valid) {
            batch.add(valid.sample());
          }
        }
        long now = System.nanoTime();
        if (!batch.isEmpty()) {
          schedule.add(batch);
          samplesRead += batch.size();
          lastSampleAtNanos = now;
        }
        Duration quiet = Duration.ofNanos(now - lastSampleAtNanos);
        if (schedule.warmUpDue(quiet)) {
          phase = Phase.WARMING_UP;
          publish(schedule.warmUp());
        } else if (schedule.roundDue(quiet)) {
          publish(schedule.round());
        }
      }
    } catch (CancellationException e) {
      if (running.get()) {
        failure = "victim training cancelled while running";
        LOG.error("victim updater: training cancelled while not closing", e);
      } else {
        LOG.info("victim updater: the Victim's training stopped mid-round for close ({})", e.getMessage());
      }
    } catch (WakeupException e) {
      if (running.get()) {
        failure = "woken up unexpectedly";
        LOG.error("victim updater woken up unexpectedly", e);
      }
    } catch (RuntimeException | Error e) {
      failure = e.toString();
      LOG.error("victim updater stopped: {}", e.toString(), e);
      if (e instanceof Error error) {
        throw error;
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void publish(VictimSchedule.Fitted fitted) {
    VictimTraining.Split split = fitted.split();
    Map<String, Double> metrics = new HashMap<>(split.rule().toMetrics());
    metrics.put("window.size", (double) fitted.windowSize());
    metrics.put("window.suspicious", (double) split.suspiciousCount());
    metrics.put("round", (double) fitted.round());
    long next = version + 1;
    ModelVersion published = publisher.publish(store,
        new CheckpointMeta(config.modelId(), next, architecture.id(), Instant.now(), metrics, Map.of()),
        schedule.training().network().parameters());
    version = next;
    // The loop fits and publishes between two polls: this version has seen every sample read.
    samplesReadAtLastVersion = samplesRead;
    phase = Phase.PUBLISHED;
    LOG.info("published victim v{} (round {}, {} of {} window samples suspicious, split {})", next, fitted.round(),
        split.suspiciousCount(), fitted.windowSize(), policy.name());
    listeners.forEach(l -> l.accept(published));
  }

  /** Continues from the newest complete Victim checkpoint, if this updater ran before. */
  private void resumeFromLastCheckpoint() {
    store.latest(config.modelId()).ifPresent((StoredCheckpoint stored) -> {
      Checkpoint checkpoint = store.read(stored);
      if (!Architecture.byId(checkpoint.meta().architecture()).equals(architecture)) {
        // Continuing would publish versions every filter of this shape refuses.
        throw new IllegalStateException("victim checkpoint " + stored.path() + " is of architecture "
            + checkpoint.meta().architecture() + ", but this filter's Victim is " + architecture.id()
            + " (its data set or --architecture changed?): give this data set and architecture its own"
            + " --checkpoint-dir");
      }
      Network network = Network.fromParameters(architecture, checkpoint.parameters());
      VictimTraining training = new VictimTraining(network, policy, config.plan().batchSize(), config.plan().learningRate(),
          config.plan().seed());
      schedule.resume(training);
      training.resumeAtRound(checkpoint.meta().metrics().getOrDefault("round", 0.0).intValue());
      version = checkpoint.meta().version();
      phase = Phase.PUBLISHED;
      LOG.info("victim updater resumes from v{} ({})", version, stored.path());
      // Announced again, signed with the key this process holds now: after a key rotation the
      // version on the topic carries the old key's signature and every restarted filter would
      // refuse it until the next round. A filter that has it already ignores it (not newer), and
      // the listeners hear only new versions.
      publisher.announce(stored);
    });
  }

  /** Starts each partition far enough back to refill the window with the newest samples. */
  private void seekToWindowTail(List<TopicPartition> partitions) {
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    long perPartition = Math.max(1, config.plan().windowSize() / Math.max(1, partitions.size()));
    for (TopicPartition tp : partitions) {
      consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - perPartition));
    }
  }

  /** After {@link #close()}: whether the updater's thread has ended (else its model was left unfreed). */
  public boolean stopped() {
    return !thread.isAlive();
  }

  @Override
  public void close() {
    running.set(false);
    schedule.cancel();
    consumer.wakeup();
    try {
      thread.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publisher.close();
    if (thread.isAlive()) {
      // Freeing the native model under a thread still in a forward pass crashes the JVM inside
      // libtorch (SIGSEGV); leaking it until the process exits costs nothing.
      LOG.warn("victim updater still busy {} s after close (a forward pass outlasting cancellation); its model "
          + "is left to the process's exit rather than freed under it", CLOSE_WAIT.toSeconds());
      return;
    }
    schedule.close();
  }
}

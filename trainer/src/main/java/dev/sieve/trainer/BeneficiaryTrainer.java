package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.ModelPublisher;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The Beneficiary of V&amp;B: a clean model trained continuously on what the filter let through.
 *
 * <p>Pipeline: {@link CredibleFlux} (a backpressured consumer of the credible topic) → decode
 * each {@link Verdict} (a record that cannot be decoded or used is logged and skipped) →
 * {@code bufferTimeout(batchSize, maxBatchWait)} → one dedicated training thread, handed one
 * batch at a time ({@code publishOn} with prefetch 1), so a slow step stops the demand that
 * reaches the consumer, and the consumer pauses its partitions instead of filling memory.
 *
 * <p>Each batch gets an optimizer step, then {@code replayRatio} steps on random batches from a
 * window of recent samples (see {@link ReplayLearner}). Every {@code checkpointEverySteps} steps,
 * and at the end of a run, the weights are written to a checkpoint together with the offset after
 * the last record trained on in each partition, and a {@link ModelVersion} pointing at it is
 * published on the clean-models topic. A new trainer resumes from the newest checkpoint: the
 * weights, the counters and the offsets, so that no record is trained on twice and none is
 * skipped across a restart. (The replay window and the optimizer state are not checkpointed: the
 * window refills from new records, Adam's moments re-estimate within a few steps.)
 *
 * <p>The offsets are the record after the last one trained. On a topic written transactionally
 * that is the transaction's commit marker, which the consumer skips on resume; so a caught-up
 * trainer's checkpoint may lag the log end by the markers, never by a record.
 */
public final class BeneficiaryTrainer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BeneficiaryTrainer.class);
  private static final Duration IDLE_CHECK = Duration.ofMillis(100);
  private static final Duration CONSUMER_STOP_TIMEOUT = Duration.ofSeconds(30);

  private final BeneficiaryConfig config;
  private final TrainingListener listener;
  private final CheckpointStore store;
  private final Architecture architecture;
  private final Network network;
  private final ReplayLearner learner;
  private final ModelPublisher publisher;
  private final AvroSerde<Verdict> serde = AvroSerde.verdict();
  private final Scheduler trainingThread;
  private final ReentrantLock runLock = new ReentrantLock();

  /** Next offset to read per partition of the credible topic: after the last record trained on. */
  private final Map<TopicPartition, Long> offsets = new ConcurrentHashMap<>();
  private final AtomicLong processedThisRun = new AtomicLong();
  private final AtomicLong skippedThisRun = new AtomicLong();
  private final AtomicLong samplesThisRun = new AtomicLong();

  private volatile long version;
  private volatile StoredCheckpoint lastCheckpoint;
  private volatile boolean dirty;
  private long stepsAtCheckpoint;
  private volatile CredibleFlux source;
  private volatile Sinks.One<Boolean> stopSignal;
  private volatile boolean closed;
  private boolean resourcesClosed;
  private volatile long runStartNanos = System.nanoTime();
  private long lastProgressNanos;

  // Copies of the learner's counters for progress() on other threads; written after each batch.
  private volatile long stepsView;
  private volatile long samplesView;
  private volatile double lossView = Double.NaN;
  private volatile int windowView;

  public BeneficiaryTrainer(BeneficiaryConfig config) {
    this(config, TrainingListener.NONE);
  }

  /** Loads the newest checkpoint of {@code config.modelId()} if there is one; starts nothing yet. */
  public BeneficiaryTrainer(BeneficiaryConfig config, TrainingListener listener) {
    this.config = config;
    this.listener = listener;
    this.store = new CheckpointStore(config.checkpointDir());
    Optional<StoredCheckpoint> latest = store.latest(config.modelId());
    long steps = 0;
    long samples = 0;
    double loss = Double.NaN;
    if (latest.isPresent()) {
      Checkpoint checkpoint = store.read(latest.get());
      CheckpointMeta meta = checkpoint.meta();
      this.architecture = Architecture.byId(meta.architecture());
      this.network = Network.fromParameters(architecture, checkpoint.parameters());
      this.version = meta.version();
      this.lastCheckpoint = latest.get();
      steps = Math.round(meta.metrics().getOrDefault("steps", 0.0));
      samples = Math.round(meta.metrics().getOrDefault("samplesSeen", 0.0));
      loss = meta.metrics().getOrDefault("loss", Double.NaN);
      offsets.putAll(credibleOffsets(meta, config.topics().credible()));
      LOG.info("{}: resuming from checkpoint v{} ({}): {} steps, {} samples seen, offsets {}",
          config.modelId(), version, latest.get().path(), steps, samples, offsets);
    } else {
      this.architecture = config.architecture();
      this.network = Network.create(architecture, config.seed());
      LOG.info("{}: no checkpoint in {}: starting a fresh {} network (seed {})",
          config.modelId(), store.dir(), architecture.id(), config.seed());
    }
    try {
      this.learner = new ReplayLearner(network, config.learningRate(), config.batchSize(), config.replayRatio(),
          config.windowSize(), config.seed() + version, steps, samples, loss);
      this.publisher = new ModelPublisher(config.bootstrapServers(), config.topics().cleanModels(),
          config.groupId() + "-models", Map.of());
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
    this.stepsAtCheckpoint = steps;
    this.trainingThread = Schedulers.newSingle("beneficiary-train", true);
    updateViews();
  }

  /** Trains on the credible topic until {@link #close()} is called (from another thread). */
  public TrainingSummary run() {
    beginRun();
    try {
      LOG.info("{}: training on {} until stopped", config.modelId(), config.topics().credible());
      stream(Mono.never());
      onTrainingThread(() -> checkpointIfDirty("end of run"));
      return summary("stopped");
    } finally {
      runLock.unlock();
    }
  }

  /**
   * Trains until the credible topic has been quiet for {@code idle} (no record arrived and none
   * is waiting, counted from the first partition assignment), then trains {@code finalEpochs}
   * passes over the replay window, writes and publishes a final checkpoint, and returns. This is
   * the demo's mode: the loader is done, and the model should make the most of what it got.
   */
  public TrainingSummary runUntilIdle(Duration idle, int finalEpochs) {
    if (idle == null || idle.isNegative() || idle.isZero()) {
      throw new IllegalArgumentException("idle must be a positive duration, got " + idle);
    }
    if (finalEpochs < 0) {
      throw new IllegalArgumentException("finalEpochs must be >= 0, got " + finalEpochs);
    }
    beginRun();
    try {
      LOG.info("{}: training on {} until it is quiet for {} ms, then {} final epoch(s) over the window",
          config.modelId(), config.topics().credible(), idle.toMillis(), finalEpochs);
      Mono<Boolean> quiet = Flux.interval(IDLE_CHECK)
          .filter(tick -> isIdle(idle))
          .next()
          .map(tick -> true)
          .doOnNext(x -> LOG.info("{}: no new record on {} for {} ms: stopping the stream ({} samples this run)",
              config.modelId(), config.topics().credible(), idle.toMillis(), samplesThisRun.get()));
      stream(quiet);
      if (finalEpochs > 0 && !closed) {
        onTrainingThread(() -> finalEpochs(finalEpochs));
      }
      onTrainingThread(() -> checkpointIfDirty("end of run"));
      return summary("idle");
    } finally {
      runLock.unlock();
    }
  }

  /** Stops a run (which writes its final checkpoint first), then releases the network and clients. */
  @Override
  public void close() {
    closed = true;
    Sinks.One<Boolean> stop = stopSignal;
    if (stop != null) {
      stop.tryEmitValue(true);
    }
    // Waits for a run in progress to finish its final checkpoint before the network goes away.
    runLock.lock();
    try {
      if (resourcesClosed) {
        return;
      }
      resourcesClosed = true;
      trainingThread.dispose();
      learner.close();
      network.close();
      publisher.close();
    } finally {
      runLock.unlock();
    }
  }

  /** A snapshot of the counters and of the consumer's backpressure state; callable from any thread. */
  public TrainingProgress progress() {
    CredibleFlux f = source;
    long emitted = f == null ? 0 : f.emitted();
    double seconds = (System.nanoTime() - runStartNanos) / 1e9;
    return new TrainingProgress(version, stepsView, samplesView, skippedThisRun.get(), lossView, windowView,
        f == null ? 0 : f.buffered(), f != null && f.paused(), Math.max(0, emitted - processedThisRun.get()),
        seconds > 0 ? samplesThisRun.get() / seconds : 0);
  }

  /** The last checkpoint written or resumed from. */
  public Optional<StoredCheckpoint> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  /** Next offset to read per credible partition: the position the next checkpoint will record. */
  public Map<TopicPartition, Long> offsets() {
    return Map.copyOf(offsets);
  }

  /** The network being trained. Read it only while no run is in progress. */
  public Network network() {
    return network;
  }

  private void beginRun() {
    if (closed) {
      throw new IllegalStateException("trainer " + config.modelId() + " is closed");
    }
    if (!runLock.tryLock()) {
      throw new IllegalStateException("trainer " + config.modelId() + " is already running");
    }
    processedThisRun.set(0);
    skippedThisRun.set(0);
    samplesThisRun.set(0);
    runStartNanos = System.nanoTime();
    lastProgressNanos = runStartNanos;
  }

  /** Streams the credible topic through training until {@code until} fires or the trainer closes. */
  private void stream(Mono<Boolean> until) {
    Sinks.One<Boolean> stop = Sinks.one();
    stopSignal = stop;
    if (closed) {
      return;
    }
    Map<TopicPartition, Long> start = Map.copyOf(offsets);
    CredibleFlux flux = new CredibleFlux(
        CredibleFlux.consumerConfig(config.bootstrapServers(), config.groupId(), config.maxPollRecords()),
        config.topics().credible(), start, config.highWaterMark());
    source = flux;
    try {
      flux.flux()
          .takeUntilOther(Mono.firstWithSignal(stop.asMono(), until))
          .map(record -> CredibleRecord.decode(record, serde, architecture))
          .bufferTimeout(config.batchSize(), config.maxBatchWait(), true)
          .publishOn(trainingThread, 1)
          .doOnNext(this::trainBatch)
          .then()
          .block();
    } catch (RuntimeException e) {
      LOG.error("{}: training stream failed after {} samples this run; the last checkpoint is v{}",
          config.modelId(), samplesThisRun.get(), version, e);
      throw e;
    } finally {
      awaitConsumerStopped(flux);
    }
  }

  /** On the training thread: one batch of decoded records. */
  private void trainBatch(List<CredibleRecord> batch) {
    List<LabeledSample> samples = new ArrayList<>(batch.size());
    for (CredibleRecord record : batch) {
      if (record.skipped()) {
        skippedThisRun.incrementAndGet();
        LOG.warn("{}: skipping {}", config.modelId(), record.skipReason());
      } else {
        samples.add(record.sample());
      }
    }
    if (!samples.isEmpty()) {
      learner.learn(samples);
    }
    for (CredibleRecord record : batch) {
      offsets.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
    }
    dirty = true;
    samplesThisRun.addAndGet(samples.size());
    processedThisRun.addAndGet(batch.size());
    updateViews();
    TrainingProgress progress = progress();
    listener.onBatch(batch, progress);
    if (learner.steps() - stepsAtCheckpoint >= config.checkpointEverySteps()) {
      checkpoint(config.checkpointEverySteps() + " steps since the last one");
    }
    long now = System.nanoTime();
    if (now - lastProgressNanos >= config.progressInterval().toNanos()) {
      lastProgressNanos = now;
      progress = progress();
      LOG.info("{}: {}", config.modelId(), progress);
      listener.onProgress(progress);
    }
  }

  private void finalEpochs(int epochs) {
    if (learner.windowSize() == 0) {
      LOG.info("{}: no samples in the window, skipping the {} final epoch(s)", config.modelId(), epochs);
      return;
    }
    long t0 = System.nanoTime();
    double loss = learner.trainEpochs(epochs);
    dirty = true;
    updateViews();
    LOG.info("{}: {} final epoch(s) over {} samples in {} s, loss {}", config.modelId(), epochs,
        learner.windowSize(), String.format("%.1f", (System.nanoTime() - t0) / 1e9), String.format("%.4f", loss));
  }

  private void checkpointIfDirty(String why) {
    if (dirty) {
      checkpoint(why);
    } else {
      LOG.info("{}: nothing new since checkpoint v{}, no checkpoint written", config.modelId(), version);
    }
  }

  /** On the training thread: writes the next version and announces it on clean-models. */
  private void checkpoint(String why) {
    long next = version + 1;
    Map<String, Double> metrics = new TreeMap<>();
    metrics.put("steps", (double) learner.steps());
    metrics.put("samplesSeen", (double) learner.samplesSeen());
    metrics.put("windowSize", (double) learner.windowSize());
    double loss = learner.recentLoss();
    if (Double.isFinite(loss)) {
      metrics.put("loss", loss);
    }
    Map<String, Long> checkpointOffsets = new TreeMap<>();
    offsets.forEach((tp, offset) -> checkpointOffsets.put(CheckpointMeta.offsetKey(tp.topic(), tp.partition()), offset));
    CheckpointMeta meta = new CheckpointMeta(config.modelId(), next, architecture.id(), Instant.now(), metrics,
        checkpointOffsets);
    StoredCheckpoint stored = store.write(meta, network.parameters());
    version = next;
    lastCheckpoint = stored;
    stepsAtCheckpoint = learner.steps();
    dirty = false;
    ModelVersion published = publisher.announce(stored);
    LOG.info("{}: checkpoint v{} ({}) at {}: {} steps, {} samples seen, loss {}, offsets {}; published on {}",
        config.modelId(), next, why, stored.path(), learner.steps(), learner.samplesSeen(),
        String.format("%.4f", loss), checkpointOffsets, config.topics().cleanModels());
    listener.onCheckpoint(stored, published);
  }

  private boolean isIdle(Duration idle) {
    CredibleFlux f = source;
    return f != null
        && f.assigned()
        && f.buffered() == 0
        && f.emitted() == processedThisRun.get()
        && f.quietFor().compareTo(idle) >= 0;
  }

  private TrainingSummary summary(String how) {
    double seconds = (System.nanoTime() - runStartNanos) / 1e9;
    TrainingSummary summary = new TrainingSummary(learner.steps(), learner.samplesSeen(), samplesThisRun.get(),
        skippedThisRun.get(), Optional.ofNullable(lastCheckpoint), learner.recentLoss(), seconds);
    LOG.info("{}: run ended ({}) after {} s: {} new samples this run, {} skipped; {} steps and {} samples in total,"
            + " loss {}, checkpoint v{}", config.modelId(), how, String.format("%.1f", seconds), summary.samplesThisRun(),
        summary.skipped(), summary.steps(), summary.samplesSeen(), String.format("%.4f", summary.loss()), version);
    return summary;
  }

  private void updateViews() {
    stepsView = learner.steps();
    samplesView = learner.samplesSeen();
    lossView = learner.recentLoss();
    windowView = learner.windowSize();
  }

  /** Model work stays on the one training thread, also after the stream has ended. */
  private void onTrainingThread(Runnable work) {
    Mono.fromRunnable(work).subscribeOn(trainingThread).block();
  }

  private void awaitConsumerStopped(CredibleFlux flux) {
    try {
      if (!flux.awaitStopped(CONSUMER_STOP_TIMEOUT)) {
        LOG.warn("{}: consumer of {} did not close within {} s", config.modelId(), flux.topic(),
            CONSUMER_STOP_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The checkpoint's offsets of {@code topic}; those of other topics (another prefix) are ignored. */
  static Map<TopicPartition, Long> credibleOffsets(CheckpointMeta meta, String topic) {
    Map<TopicPartition, Long> out = new HashMap<>();
    meta.offsets().forEach((key, offset) -> {
      int colon = key.lastIndexOf(':');
      String keyTopic = colon < 0 ? key : key.substring(0, colon);
      if (colon < 0 || !keyTopic.equals(topic)) {
        LOG.warn("{}: ignoring checkpoint offset '{}'={}: expected a key '{}:<partition>'", meta.modelId(), key,
            offset, topic);
        return;
      }
      try {
        out.put(new TopicPartition(topic, Integer.parseInt(key.substring(colon + 1))), offset);
      } catch (NumberFormatException e) {
        LOG.warn("{}: ignoring checkpoint offset '{}': partition is not a number", meta.modelId(), key);
      }
    });
    return out;
  }
}

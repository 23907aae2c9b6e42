package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.model.versions.VictimFollower;
import dev.sieve.schemas.Decision;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * The Beneficiary of V&amp;B: a clean model trained continuously on what the filter let through,
 * with what it held back as unlabelled data.
 *
 * <p>Pipeline: {@link VerdictFlux} (one backpressured consumer of the credible and the quarantine
 * topics) → decode each {@link Verdict} (a record that cannot be decoded or used is logged and
 * skipped) →
 * {@code bufferTimeout(batchSize, maxBatchWait)} → one dedicated training thread, handed one
 * batch at a time ({@code publishOn} with prefetch 1), so a slow step stops the demand that
 * reaches the consumer, and the consumer pauses its partitions instead of filling memory.
 *
 * <p>Quarantined samples join a pool of unlabelled samples. Credible samples get an optimizer
 * step, then {@code replayRatio} steps on random batches from a window of recent credible
 * samples; every step is V&amp;B's (see {@link ReplayLearner}): AttentionMix on the credible batch,
 * targets suppressed by the newest Victim, plus an equally large unlabelled batch from the pool
 * weighted by {@code unlabelledWeight}.
 *
 * <p>The newest Victim comes from the victim-models topic ({@link VictimFollower}). Each newer
 * version re-judges the whole replay window ({@link WindowRecheck}), and what it now calls
 * suspect moves from the window to the unlabelled pool: a poisoned sample that an early, weak
 * Victim let through does not keep poisoning the Beneficiary from the window. Records arriving
 * later were judged by a recent Victim already, so they are not re-checked one by one.
 *
 * <p>All model work (training, adopting a Victim, re-checking) runs on one training thread, so a
 * Victim is never closed while a step uses it.
 *
 * <p>Every {@code checkpointEverySteps} steps, and at the end of a run, the weights are written
 * to a checkpoint together with the offset after the last record consumed in each partition of
 * both topics, and a {@link ModelVersion} pointing at it is published on the clean-models topic.
 * A new trainer resumes from the newest checkpoint: the weights, the counters and the offsets, so
 * that no record is trained on twice and none is skipped across a restart. (The replay window,
 * the unlabelled pool and the optimizer state are not checkpointed: they refill from new records,
 * Adam's moments re-estimate within a few steps. The newest Victim is read again from its
 * compacted topic.)
 *
 * <p>The offsets are the record after the last one consumed. On a topic written transactionally
 * that is the transaction's commit marker, which the consumer skips on resume; so a caught-up
 * trainer's checkpoint may lag the log end by the markers, never by a record.
 */
public final class BeneficiaryTrainer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BeneficiaryTrainer.class);
  private static final Duration IDLE_CHECK = Duration.ofMillis(100);
  private static final Duration CONSUMER_STOP_TIMEOUT = Duration.ofSeconds(30);
  /** How long a bounded run waits, at its end, for the newest Victim on the topic to be loaded. */
  private static final Duration VICTIM_CATCH_UP_TIMEOUT = Duration.ofSeconds(30);

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

  /** Next offset to read per partition of credible and quarantine: after the last record consumed. */
  private final Map<TopicPartition, Long> offsets = new ConcurrentHashMap<>();
  private final AtomicLong processedThisRun = new AtomicLong();
  private final AtomicLong skippedThisRun = new AtomicLong();
  private final AtomicLong samplesThisRun = new AtomicLong();
  private final AtomicLong unlabelledThisRun = new AtomicLong();

  /** Loaded by the follower, not yet adopted by the training thread. */
  private final AtomicReference<VictimModel> pendingVictim = new AtomicReference<>();
  /** The Victim in use; only the training thread swaps it (and close(), once no run is left). */
  private VictimModel victim;
  private VictimFollower follower;
  private long unlabelledSeen;
  private long recheckedOut;

  private volatile long version;
  private volatile StoredCheckpoint lastCheckpoint;
  private volatile boolean dirty;
  private long stepsAtCheckpoint;
  private volatile VerdictFlux source;
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
  private volatile int unlabelledPoolView;
  private volatile long victimVersionView;
  private volatile long unlabelledSeenView;
  private volatile long recheckedOutView;

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
    long unlabelled = 0;
    long rechecked = 0;
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
      unlabelled = Math.round(meta.metrics().getOrDefault("unlabelledSeen", 0.0));
      rechecked = Math.round(meta.metrics().getOrDefault("recheckedOut", 0.0));
      offsets.putAll(checkpointOffsets(meta, Set.of(config.topics().credible(), config.topics().quarantine())));
      LOG.info("{}: resuming from checkpoint v{} ({}): {} steps, {} samples seen, {} unlabelled, {} re-checked out,"
              + " offsets {}", config.modelId(), version, latest.get().path(), steps, samples, unlabelled, rechecked,
          offsets);
    } else {
      this.architecture = config.architecture();
      this.network = Network.create(architecture, config.seed());
      LOG.info("{}: no checkpoint in {}: starting a fresh {} network (seed {})",
          config.modelId(), store.dir(), architecture.id(), config.seed());
    }
    try {
      this.learner = new ReplayLearner(network, config.stepSettings(), config.replayRatio(), config.windowSize(),
          config.unlabelledWeight(), config.seed() + version, steps, samples, loss);
      this.publisher = new ModelPublisher(config.bootstrapServers(), config.topics().cleanModels(),
          config.groupId() + "-models", config.clientOverrides(), config.modelTrust().signingKey());
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
    this.stepsAtCheckpoint = steps;
    this.unlabelledSeen = unlabelled;
    this.recheckedOut = rechecked;
    this.trainingThread = Schedulers.newSingle("beneficiary-train", true);
    updateViews();
  }

  /** Trains on the credible and quarantine topics until {@link #close()} is called (from another thread). */
  public TrainingSummary run() {
    beginRun();
    try {
      LOG.info("{}: training on {} (labelled) and {} (unlabelled) until stopped", config.modelId(),
          config.topics().credible(), config.topics().quarantine());
      stream(Mono.never());
      stopFollowing(false);
      onTrainingThread(() -> checkpointIfDirty("end of run"));
      return summary("stopped");
    } finally {
      endRun();
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
      LOG.info("{}: training on {} (labelled) and {} (unlabelled) until they are quiet for {} ms, then {} final"
              + " epoch(s) over the window", config.modelId(), config.topics().credible(), config.topics().quarantine(),
          idle.toMillis(), finalEpochs);
      Mono<Boolean> quiet = Flux.interval(IDLE_CHECK)
          .filter(tick -> isIdle(idle))
          .next()
          .map(tick -> true)
          .doOnNext(x -> LOG.info("{}: no new record on {} or {} for {} ms: stopping the stream ({} samples this run)",
              config.modelId(), config.topics().credible(), config.topics().quarantine(), idle.toMillis(),
              samplesThisRun.get()));
      stream(quiet);
      // The final epochs train with the newest Victim there is, and re-check with it first.
      stopFollowing(!closed);
      if (finalEpochs > 0 && !closed) {
        onTrainingThread(() -> finalEpochs(finalEpochs));
      }
      onTrainingThread(() -> checkpointIfDirty("end of run"));
      return summary("idle");
    } finally {
      endRun();
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
      if (victim != null) {
        victim.close();
      }
      VictimModel unused = pendingVictim.getAndSet(null);
      if (unused != null) {
        unused.close();
      }
      publisher.close();
    } finally {
      runLock.unlock();
    }
  }

  /** A snapshot of the counters and of the consumer's backpressure state; callable from any thread. */
  public TrainingProgress progress() {
    VerdictFlux f = source;
    long emitted = f == null ? 0 : f.emitted();
    double seconds = (System.nanoTime() - runStartNanos) / 1e9;
    return new TrainingProgress(version, stepsView, samplesView, skippedThisRun.get(), lossView, windowView,
        f == null ? 0 : f.buffered(), f != null && f.paused(), Math.max(0, emitted - processedThisRun.get()),
        seconds > 0 ? samplesThisRun.get() / seconds : 0, victimVersionView, unlabelledSeenView, unlabelledPoolView,
        recheckedOutView, f == null ? 0 : f.lag(), f == null ? 0 : f.pauses());
  }

  /** The last checkpoint written or resumed from. */
  public Optional<StoredCheckpoint> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  /** Next offset to read per partition of both topics: the position the next checkpoint will record. */
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
    unlabelledThisRun.set(0);
    runStartNanos = System.nanoTime();
    lastProgressNanos = runStartNanos;
    try {
      // Newer than the Victim this trainer holds from an earlier run; after a restart it holds
      // none, and the newest version on the topic is loaded again.
      follower = new VictimFollower(config.bootstrapServers(), config.topics().victimModels(), config.victimModelId(),
          config.groupId() + "-victims", config.clientOverrides(), config.modelTrust(),
          victimVersionView == 0 ? Optional.empty() : Optional.of(victimVersionView), this::victimLoaded,
          listener::onVictimRefused);
      follower.start();
    } catch (RuntimeException e) {
      runLock.unlock();
      throw e;
    }
  }

  /**
   * Stops the Victim follower, then adopts what it handed over last, on the training thread.
   *
   * @param catchUpFirst first wait until the follower has loaded what the topic held when it
   *     started, so that a short run does not end before its Victim arrived
   */
  private void stopFollowing(boolean catchUpFirst) {
    VictimFollower f = follower;
    if (f != null) {
      follower = null;
      try {
        if (catchUpFirst && !f.awaitCaughtUp(VICTIM_CATCH_UP_TIMEOUT)) {
          LOG.warn("{}: the victim follower did not read {} to its end within {} s; ending the run with victim v{}",
              config.modelId(), config.topics().victimModels(), VICTIM_CATCH_UP_TIMEOUT.toSeconds(), victimVersionView);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        f.close();
      }
    }
    if (!resourcesClosed) {
      onTrainingThread(this::adoptPendingVictim);
    }
  }

  /** Releases the run lock, having stopped the follower; on a failed run it may still be following. */
  private void endRun() {
    try {
      stopFollowing(false);
    } catch (RuntimeException e) {
      LOG.warn("{}: stopping the victim follower at the end of the run failed: {}", config.modelId(), e.toString());
    } finally {
      runLock.unlock();
    }
  }

  /** On the follower's thread: a newer Victim is loaded; the training thread adopts it between batches. */
  private void victimLoaded(VictimModel loaded) {
    VictimModel superseded = pendingVictim.getAndSet(loaded);
    if (superseded != null) {
      LOG.info("{}: victim v{} superseded by v{} before it was adopted", config.modelId(), superseded.version(),
          loaded.version());
      superseded.close();
    }
    try {
      trainingThread.schedule(this::adoptPendingVictim);
    } catch (RejectedExecutionException e) {
      // The trainer is closing; close() releases whatever is still pending.
      LOG.debug("{}: training thread gone, victim v{} stays pending", config.modelId(), loaded.version());
    }
  }

  /**
   * On the training thread: the pending Victim (if any) replaces the current one, suppresses
   * targets from the next step on, and re-judges the replay window first.
   */
  private void adoptPendingVictim() {
    VictimModel next = pendingVictim.getAndSet(null);
    if (next == null) {
      return;
    }
    if (victim != null && next.version() <= victim.version()) {
      next.close();
      return;
    }
    VictimModel previous = victim;
    victim = next;
    learner.useVictim(next.network());
    long t0 = System.nanoTime();
    WindowRecheck recheck = learner.recheck(next);
    recheckedOut += recheck.suspect().size();
    if (!recheck.suspect().isEmpty()) {
      dirty = true;
    }
    if (previous != null) {
      previous.close();
    }
    updateViews();
    LOG.info("{}: re-check against {} v{}: {} of {} window samples now suspect, moved to unlabelled ({} ms;"
            + " {} moved out in total)", config.modelId(), next.modelId(), next.version(), recheck.suspect().size(),
        recheck.checked(), (System.nanoTime() - t0) / 1_000_000, recheckedOut);
    listener.onRecheck(recheck, progress());
  }

  /** Streams credible and quarantine through training until {@code until} fires or the trainer closes. */
  private void stream(Mono<Boolean> until) {
    Sinks.One<Boolean> stop = Sinks.one();
    stopSignal = stop;
    if (closed) {
      return;
    }
    Map<TopicPartition, Long> start = Map.copyOf(offsets);
    String quarantine = config.topics().quarantine();
    VerdictFlux flux = new VerdictFlux(
        VerdictFlux.consumerConfig(config.bootstrapServers(), config.groupId(), config.maxPollRecords(),
            config.clientOverrides()),
        List.of(config.topics().credible(), quarantine), start, config.highWaterMark());
    source = flux;
    try {
      flux.flux()
          .takeUntilOther(Mono.firstWithSignal(stop.asMono(), until))
          .map(record -> VerdictRecord.decode(record, serde, architecture,
              record.topic().equals(quarantine) ? Decision.QUARANTINE : Decision.CREDIBLE))
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

  /**
   * On the training thread: one batch of decoded records. Quarantined samples join the pool
   * first, so that the step on the credible ones can already draw them.
   */
  private void trainBatch(List<VerdictRecord> batch) {
    List<LabeledSample> samples = new ArrayList<>(batch.size());
    List<LabeledSample> quarantined = new ArrayList<>();
    for (VerdictRecord record : batch) {
      if (record.skipped()) {
        skippedThisRun.incrementAndGet();
        LOG.warn("{}: skipping {}", config.modelId(), record.skipReason());
      } else if (record.quarantined()) {
        quarantined.add(record.sample());
      } else {
        samples.add(record.sample());
      }
    }
    if (!quarantined.isEmpty()) {
      learner.addUnlabelled(quarantined);
      unlabelledSeen += quarantined.size();
      unlabelledThisRun.addAndGet(quarantined.size());
    }
    if (!samples.isEmpty()) {
      learner.learn(samples);
    }
    for (VerdictRecord record : batch) {
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
    metrics.put("unlabelledSeen", (double) unlabelledSeen);
    metrics.put("unlabelledPool", (double) learner.unlabelledSize());
    metrics.put("recheckedOut", (double) recheckedOut);
    metrics.put("victimVersion", (double) (victim == null ? 0 : victim.version()));
    metrics.put("unlabelledWeight", config.unlabelledWeight());
    metrics.put("attentionMix", config.recipe().attentionMix() ? 1.0 : 0.0);
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
    LOG.info("{}: checkpoint v{} ({}) at {}: {} steps, {} samples seen, {} unlabelled, {} re-checked out, loss {},"
            + " offsets {}; published on {}", config.modelId(), next, why, stored.path(), learner.steps(),
        learner.samplesSeen(), unlabelledSeen, recheckedOut, String.format("%.4f", loss), checkpointOffsets,
        config.topics().cleanModels());
    listener.onCheckpoint(stored, published);
  }

  private boolean isIdle(Duration idle) {
    VerdictFlux f = source;
    return f != null
        && f.assigned()
        && f.buffered() == 0
        && f.emitted() == processedThisRun.get()
        && f.quietFor().compareTo(idle) >= 0;
  }

  private TrainingSummary summary(String how) {
    double seconds = (System.nanoTime() - runStartNanos) / 1e9;
    TrainingSummary summary = new TrainingSummary(learner.steps(), learner.samplesSeen(), samplesThisRun.get(),
        skippedThisRun.get(), Optional.ofNullable(lastCheckpoint), learner.recentLoss(), seconds,
        unlabelledThisRun.get(), recheckedOutView, victimVersionView);
    LOG.info("{}: run ended ({}) after {} s: {} new samples and {} unlabelled this run, {} skipped; {} steps and {}"
            + " samples in total, {} re-checked out, victim v{}, loss {}, checkpoint v{}", config.modelId(), how,
        String.format("%.1f", seconds), summary.samplesThisRun(), summary.unlabelledThisRun(), summary.skipped(),
        summary.steps(), summary.samplesSeen(), summary.recheckedOut(), summary.victimVersion(),
        String.format("%.4f", summary.loss()), version);
    return summary;
  }

  private void updateViews() {
    stepsView = learner.steps();
    samplesView = learner.samplesSeen();
    lossView = learner.recentLoss();
    windowView = learner.windowSize();
    unlabelledPoolView = learner.unlabelledSize();
    unlabelledSeenView = unlabelledSeen;
    recheckedOutView = recheckedOut;
    victimVersionView = victim == null ? 0 : victim.version();
  }

  /** Model work stays on the one training thread, also after the stream has ended. */
  private void onTrainingThread(Runnable work) {
    Mono.fromRunnable(work).subscribeOn(trainingThread).block();
  }

  private void awaitConsumerStopped(VerdictFlux flux) {
    try {
      if (!flux.awaitStopped(CONSUMER_STOP_TIMEOUT)) {
        LOG.warn("{}: consumer of {} did not close within {} s", config.modelId(), flux.topics(),
            CONSUMER_STOP_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The checkpoint's offsets of {@code topics}; those of other topics (another prefix) are
   * ignored. A checkpoint written before the quarantine topic was read has none of it, and the
   * consumer starts that topic at its earliest record.
   */
  static Map<TopicPartition, Long> checkpointOffsets(CheckpointMeta meta, Set<String> topics) {
    Map<TopicPartition, Long> out = new HashMap<>();
    meta.offsets().forEach((key, offset) -> {
      int colon = key.lastIndexOf(':');
      String keyTopic = colon < 0 ? key : key.substring(0, colon);
      if (colon < 0 || !topics.contains(keyTopic)) {
        LOG.warn("{}: ignoring checkpoint offset '{}'={}: expected a key '<topic>:<partition>' of one of {}",
            meta.modelId(), key, offset, topics);
        return;
      }
      try {
        out.put(new TopicPartition(keyTopic, Integer.parseInt(key.substring(colon + 1))), offset);
      } catch (NumberFormatException e) {
        LOG.warn("{}: ignoring checkpoint offset '{}': partition is not a number", meta.modelId(), key);
      }
    });
    return out;
  }
}

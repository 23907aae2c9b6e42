package dev.sieve.trainer;

import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The Beneficiary of V&amp;B: a clean model trained continuously on what the filter let through,
 * with what it held back as unlabelled data.
 *
 * <p>The credible and quarantine topics arrive in batches ({@link VerdictBatches}), with
 * backpressure down to the Kafka consumer, on the one thread that does all model work ({@link
 * TrainingThread}). Quarantined samples join a pool of unlabelled samples. Credible samples get an
 * optimizer step, then {@code replayRatio} steps on random batches from a window of recent
 * credible samples; every step is V&amp;B's (see {@link ReplayLearner}): AttentionMix on the
 * credible batch, targets suppressed by the newest Victim, plus an equally large unlabelled batch
 * from the pool weighted by {@code unlabelledWeight}.
 *
 * <p>The newest Victim comes from the victim-models topic ({@link VictimHandover}). Each newer
 * version re-judges the whole replay window ({@link WindowRecheck}), and what it now calls
 * suspect moves from the window to the unlabelled pool: a poisoned sample that an early, weak
 * Victim let through does not keep poisoning the Beneficiary from the window. Records arriving
 * later were judged by a recent Victim already, so they are not re-checked one by one.
 *
 * <p>Every {@code checkpointEverySteps} steps, and at the end of a run, a checkpoint with the
 * positions in both topics is written and announced on clean-models; {@link #start()} resumes
 * from the newest ({@link BeneficiaryCheckpointer}).
 */
public final class BeneficiaryTrainer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BeneficiaryTrainer.class);
  private static final Duration IDLE_CHECK = Duration.ofMillis(100);

  private final BeneficiaryConfig config;
  private final ReentrantLock runLock = new ReentrantLock();
  private final TrainingCounters counters = new TrainingCounters();
  private final BeneficiaryCheckpointer checkpointer;
  private final TrainingThread training;
  private final VictimHandover victims;

  private volatile VerdictBatches input;
  private volatile Sinks.One<Boolean> stopSignal;
  private volatile boolean closed;
  /** Set by {@link #stop()}: no further batch is trained, the run ends with its final checkpoint. */
  private volatile boolean stopRequested;
  private boolean resourcesClosed;

  public BeneficiaryTrainer(BeneficiaryConfig config) {
    this(config, TrainingListener.NONE);
  }

  /** Reads and opens nothing yet: {@link #start()} does. */
  public BeneficiaryTrainer(BeneficiaryConfig config, TrainingListener listener) {
    this.config = config;
    this.checkpointer = new BeneficiaryCheckpointer(config, counters, listener);
    this.training = new TrainingThread(config, listener, counters, checkpointer, this::progress);
    this.victims = new VictimHandover(config, listener, training.scheduler(), training::useVictim);
  }

  /**
   * Loads the newest checkpoint of {@code config.modelId()}, if there is one, and opens the
   * clean-models publisher. A run starts the trainer when this has not been called; call it first
   * to read the resumed {@link #progress()} and {@link #offsets()} before a run.
   */
  public void start() {
    runLock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("trainer " + config.modelId() + " is closed");
      }
      training.resume();
    } finally {
      runLock.unlock();
    }
  }

  /** Trains on the credible and quarantine topics until {@link #close()} is called (from another thread). */
  public TrainingSummary run() {
    beginRun();
    try {
      LOG.info("{}: training on {} (labelled) and {} (unlabelled) until stopped", config.modelId(),
          config.topics().credible(), config.topics().quarantine());
      stream(Mono.never());
      return finish("stopped", false, 0);
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
    return runUntilIdle(idle, finalEpochs, Optional::empty);
  }

  /**
   * {@link #runUntilIdle(Duration, int)} for a stream whose end becomes known: once {@code end}
   * gives, per partition of the credible, quarantine and retractions topics, the offset after the
   * last record there is, the run also ends as soon as it has trained past all of them and holds
   * nothing more, without waiting out {@code idle}. Why: the quiet period only guesses that the
   * stream is over (8 s of a 60 s demo), while the caller that counted every verdict knows it. The
   * quiet period still ends the run when the end never comes or is never reached.
   */
  public TrainingSummary runUntilIdle(Duration idle, int finalEpochs, Supplier<Optional<Map<TopicPartition, Long>>> end) {
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
      Mono<String> over = Flux.interval(IDLE_CHECK)
          .map(tick -> whyTheStreamIsOver(idle, end))
          .filter(why -> !why.isEmpty())
          .next()
          .doOnNext(why -> LOG.info("{}: {}: stopping the stream ({} samples this run)", config.modelId(), why,
              counters.samplesThisRun()));
      stream(over.map(why -> true));
      // The final epochs train with the newest Victim there is, and re-check with it first.
      return finish("idle", true, finalEpochs);
    } finally {
      endRun();
    }
  }

  /** Why the run may stop now: the stream has been quiet for {@code idle}, or it is trained past {@code end}; "" if neither. */
  private String whyTheStreamIsOver(Duration idle, Supplier<Optional<Map<TopicPartition, Long>>> end) {
    VerdictBatches in = input;
    if (in == null) {
      return "";
    }
    if (in.idleFor(idle, counters.processedThisRun())) {
      return String.format(Locale.ROOT, "no new record on %s or %s for %d ms", config.topics().credible(),
          config.topics().quarantine(), idle.toMillis());
    }
    return end.get().filter(this::trainedPast)
        .map(e -> "trained past the last record of each of the stream's " + e.size() + " partitions")
        .orElse("");
  }

  /** Whether the stream holds nothing untrained and every position is at or past {@code end}'s. */
  private boolean trainedPast(Map<TopicPartition, Long> end) {
    VerdictBatches in = input;
    if (in == null || !in.settled(counters.processedThisRun())) {
      return false;
    }
    Map<TopicPartition, Long> positions = checkpointer.positions();
    return end.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  /**
   * Asks a run to end, from any thread, and returns at once: the step in progress finishes (a
   * native call is not interrupted), no further batch is trained (their records are left for the
   * next run: the final checkpoint's offsets end at the last batch trained), and the run writes
   * its final checkpoint and returns. Final epochs and the wait for the newest Victim are
   * skipped. A run started afterwards ends at once. {@link #close()} then frees the model.
   */
  public void stop() {
    stopRequested = true;
    training.stopAtNextBatch();
    Sinks.One<Boolean> stop = stopSignal;
    if (stop != null) {
      stop.tryEmitValue(true);
    }
  }

  /**
   * Stops a run (which writes its final checkpoint first) and waits for it, then stops and joins
   * the training thread and releases the network and clients.
   */
  @Override
  public void close() {
    closed = true;
    stop();
    // Waits for a run in progress to finish its final checkpoint before the network goes away.
    runLock.lock();
    try {
      if (resourcesClosed) {
        return;
      }
      resourcesClosed = true;
      training.close();
      victims.close();
      checkpointer.close();
    } finally {
      runLock.unlock();
    }
  }

  /** A snapshot of the counters and of the consumer's backpressure state; callable from any thread. */
  public TrainingProgress progress() {
    VerdictBatches in = input;
    return counters.progress(checkpointer.version(), in == null ? null : in.flux());
  }

  /** The last checkpoint written or resumed from. */
  public Optional<StoredCheckpoint> lastCheckpoint() {
    return checkpointer.last();
  }

  /** Next offset to read per partition of both topics: the position the next checkpoint will record. */
  public Map<TopicPartition, Long> offsets() {
    return checkpointer.positions();
  }

  /** The network being trained, once started. Read it only while no run is in progress. */
  public Network network() {
    return training.network();
  }

  private void beginRun() {
    if (closed) {
      throw new IllegalStateException("trainer " + config.modelId() + " is closed");
    }
    if (!runLock.tryLock()) {
      throw new IllegalStateException("trainer " + config.modelId() + " is already running");
    }
    try {
      start();
      counters.beginRun();
      training.beginRun();
      victims.follow();
    } catch (RuntimeException e) {
      runLock.unlock();
      throw e;
    }
  }

  /** Stops the Victim follower, then adopts what it handed over last, on the training thread. */
  private void stopFollowing(boolean catchUpFirst) {
    victims.stopFollowing(catchUpFirst);
    if (!resourcesClosed) {
      training.runAndWait(victims::adopt);
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

  /** Streams credible and quarantine through training until {@code until} fires or the trainer closes. */
  private void stream(Mono<Boolean> until) {
    Sinks.One<Boolean> stop = Sinks.one();
    stopSignal = stop;
    if (closed || stopRequested) {
      return;
    }
    VerdictBatches batches = new VerdictBatches(config, checkpointer.positions(), training.network().architecture());
    input = batches;
    try {
      batches.train(Mono.firstWithSignal(stop.asMono(), until), training.scheduler(), training::train);
    } catch (RuntimeException e) {
      LOG.error("{}: training stream failed after {} samples this run; the last checkpoint is v{}",
          config.modelId(), counters.samplesThisRun(), checkpointer.version(), e);
      throw e;
    }
  }

  /**
   * After the stream: adopts the last Victim handed over, trains the final epochs, writes the
   * final checkpoint if anything is new, and sums the run up.
   *
   * @param catchUpFirst first wait for the Victim the topic held when the run began (unless closing)
   */
  private TrainingSummary finish(String how, boolean catchUpFirst, int finalEpochs) {
    stopFollowing(catchUpFirst && !stopRequested);
    if (finalEpochs > 0 && !stopRequested) {
      training.runAndWait(() -> training.finalEpochs(finalEpochs));
    }
    training.runAndWait(training::checkpointEndOfRun);
    TrainingSummary summary = counters.summary(checkpointer.last());
    LOG.info("{}: run ended ({}) after {} s: {} new samples and {} unlabelled this run, {} skipped; {} steps and {}"
            + " samples in total, {} re-checked out, victim v{}, loss {}, checkpoint v{}", config.modelId(), how,
        String.format("%.1f", summary.seconds()), summary.samplesThisRun(), summary.unlabelledThisRun(),
        summary.skipped(), summary.steps(), summary.samplesSeen(), summary.recheckedOut(), summary.victimVersion(),
        String.format("%.4f", summary.loss()), checkpointer.version());
    return summary;
  }
}

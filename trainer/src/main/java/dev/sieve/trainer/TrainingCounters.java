package dev.sieve.trainer;

import dev.sieve.model.checkpoint.StoredCheckpoint;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Beneficiary's counters: written on the training thread, read from any thread. The learner
 * is not thread-safe, so its counters are copied here after each change ({@link #update}), and
 * {@link BeneficiaryTrainer#progress()} never waits for the training thread.
 */
final class TrainingCounters {

  // This run's; reset when a run begins.
  private final AtomicLong processedThisRun = new AtomicLong();
  private final AtomicLong skippedThisRun = new AtomicLong();
  private final AtomicLong samplesThisRun = new AtomicLong();
  private final AtomicLong unlabelledThisRun = new AtomicLong();
  private volatile long runStartNanos = System.nanoTime();

  // Restarts included: resumed from the checkpoint, which records them.
  private volatile long unlabelledSeen;
  private volatile long recheckedOut;
  private volatile long retractionsApplied;
  private volatile long unlearned;
  /** This run's: well-formedness is not a property of the checkpoint. */
  private final AtomicLong retractionsRefused = new AtomicLong();

  // Copies of the learner's counters, and the version of the Victim it uses.
  private volatile long steps;
  private volatile long samplesSeen;
  private volatile double loss = Double.NaN;
  private volatile int windowSize;
  private volatile int unlabelledPool;
  private volatile long victimVersion;

  void resumed(long unlabelledSeen, long recheckedOut, long retractionsApplied, long unlearned) {
    this.unlabelledSeen = unlabelledSeen;
    this.recheckedOut = recheckedOut;
    this.retractionsApplied = retractionsApplied;
    this.unlearned = unlearned;
  }

  /** On the training thread: {@code ids} newly retracted ids, of which {@code forgotten} the window held. */
  void retractionsApplied(int ids, int forgotten) {
    retractionsApplied += ids;
    unlearned += forgotten;
  }

  void retractionsRefused(int records) {
    retractionsRefused.addAndGet(records);
  }

  long retractionsApplied() {
    return retractionsApplied;
  }

  long unlearned() {
    return unlearned;
  }

  void beginRun() {
    processedThisRun.set(0);
    skippedThisRun.set(0);
    samplesThisRun.set(0);
    unlabelledThisRun.set(0);
    retractionsRefused.set(0);
    runStartNanos = System.nanoTime();
  }

  /** On the training thread: a batch of {@code records}, of which these were trained on, pooled or skipped. */
  void batch(int records, int samples, int unlabelled, int skipped) {
    unlabelledSeen += unlabelled;
    unlabelledThisRun.addAndGet(unlabelled);
    skippedThisRun.addAndGet(skipped);
    samplesThisRun.addAndGet(samples);
    processedThisRun.addAndGet(records);
  }

  /** On the training thread: a re-check moved {@code suspect} window samples to the unlabelled pool. */
  void recheckedOut(int suspect) {
    recheckedOut += suspect;
  }

  /** On the training thread, after {@code learner} changed. */
  void update(ReplayLearner learner) {
    steps = learner.steps();
    samplesSeen = learner.samplesSeen();
    loss = learner.recentLoss();
    windowSize = learner.windowSize();
    unlabelledPool = learner.unlabelledSize();
  }

  /** On the training thread: the learner suppresses targets with this Victim version from now on. */
  void victimAdopted(long version) {
    victimVersion = version;
  }

  long unlabelledSeen() {
    return unlabelledSeen;
  }

  long recheckedOut() {
    return recheckedOut;
  }

  long victimVersion() {
    return victimVersion;
  }

  long processedThisRun() {
    return processedThisRun.get();
  }

  long samplesThisRun() {
    return samplesThisRun.get();
  }

  /** Where the trainer stands at checkpoint {@code version}, reading {@code source} (null between runs). */
  TrainingProgress progress(long version, VerdictFlux source) {
    long emitted = source == null ? 0 : source.emitted();
    double seconds = secondsThisRun();
    return new TrainingProgress(version, steps, samplesSeen, skippedThisRun.get(), loss, windowSize,
        source == null ? 0 : source.buffered(), source != null && source.paused(),
        Math.max(0, emitted - processedThisRun.get()), seconds > 0 ? samplesThisRun.get() / seconds : 0,
        victimVersion, unlabelledSeen, unlabelledPool, recheckedOut, source == null ? 0 : source.lag(),
        source == null ? 0 : source.pauses(), retractionsApplied, retractionsRefused.get(), unlearned);
  }

  TrainingSummary summary(Optional<StoredCheckpoint> lastCheckpoint) {
    return new TrainingSummary(steps, samplesSeen, samplesThisRun.get(), skippedThisRun.get(), lastCheckpoint, loss,
        secondsThisRun(), unlabelledThisRun.get(), recheckedOut, victimVersion);
  }

  private double secondsThisRun() {
    return (System.nanoTime() - runStartNanos) / 1e9;
  }
}

package dev.sieve.trainer;

import dev.sieve.model.Network;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.schemas.LabeledSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one thread that does all model work: training on each batch, adopting a newer Victim
 * (which re-judges the replay window first), the final epochs, and the checkpoints. Confined to
 * it, the learner never changes under a step, and a Victim is never closed while a step uses it.
 * The methods run on it, except {@link #resume}, {@link #runAndWait} and {@link #close}.
 */
final class TrainingThread implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingThread.class);
  /** How long {@link #close} waits for the thread to finish its task before it frees the model. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);

  private final Scheduler scheduler = Schedulers.newSingle("beneficiary-train", true);
  private final BeneficiaryConfig config;
  private final TrainingListener listener;
  private final TrainingCounters counters;
  private final BeneficiaryCheckpointer checkpointer;
  private final Supplier<TrainingProgress> progress;
  /** Made by {@link #resume()}. */
  private volatile ReplayLearner learner;
  private final RetractedIds retracted = new RetractedIds(RetractedIds.DEFAULT_CAPACITY);
  private long lastProgressNanos;
  private boolean firstBatchLogged;
  /** Set from any thread by {@link #stopAtNextBatch()}; read here before each batch. */
  private volatile boolean stopping;
  private long batchesLeft;
  private long recordsLeft;

  /** @param progress the trainer's progress, for the listener and the log */
  TrainingThread(BeneficiaryConfig config, TrainingListener listener, TrainingCounters counters,
      BeneficiaryCheckpointer checkpointer, Supplier<TrainingProgress> progress) {
    this.config = config;
    this.listener = listener;
    this.counters = counters;
    this.checkpointer = checkpointer;
    this.progress = progress;
  }

  /** Once, before the first run, on the caller's thread: the learner on the newest checkpoint. */
  void resume() {
    if (learner == null) {
      learner = checkpointer.resume();
      counters.update(learner);
    }
  }

  Network network() {
    if (learner == null) {
      throw new IllegalStateException("trainer " + config.modelId() + " is not started");
    }
    return learner.network();
  }

  Scheduler scheduler() {
    return scheduler;
  }

  /** Runs {@code work} here and waits for it: model work stays here, also after the stream has ended. */
  void runAndWait(Runnable work) {
    Mono.fromRunnable(work).subscribeOn(scheduler).block();
  }

  /** A run begins: the next progress report is due one interval from now. */
  void beginRun() {
    lastProgressNanos = System.nanoTime();
    firstBatchLogged = false;
  }

  /**
   * From any thread: the step in progress finishes, the batches after it are not trained. Like
   * the Victim updater's cancellation, this keeps the model in use until the thread lets go of it.
   */
  void stopAtNextBatch() {
    stopping = true;
  }

  /**
   * One batch of decoded records. Retractions first: their ids join the retracted set, and the
   * window samples they name are dropped and unlearnt, so that no step of this batch uses them.
   * Then quarantined samples join the pool, so that the step on the credible ones can already
   * draw them; a credible sample whose id was retracted is dropped, never trained on.
   */
  void train(List<VerdictRecord> batch) {
    if (stopping) {
      // Not consumed: the checkpoint's offsets end before these records, so the next run reads them.
      if (batchesLeft++ == 0) {
        LOG.info("{}: stopping: the batches from here on are left for the next run", config.modelId());
      }
      recordsLeft += batch.size();
      return;
    }
    if (!firstBatchLogged) {
      firstBatchLogged = true;
      LOG.info("{}: first batch of this run ({} records): training", config.modelId(), batch.size());
    }
    List<LabeledSample> samples = new ArrayList<>(batch.size());
    List<LabeledSample> quarantined = new ArrayList<>();
    Set<String> retractedNow = new HashSet<>();
    int skipped = 0;
    int refused = 0;
    int dropped = 0;
    for (VerdictRecord record : batch) {
      if (record.retraction() != null && retracted.add(record.retraction().getSampleId())) {
        retractedNow.add(record.retraction().getSampleId());
      }
    }
    for (VerdictRecord record : batch) {
      if (record.skipped()) {
        skipped++;
        if (record.source() == VerdictRecord.Source.RETRACTIONS) {
          refused++;
        }
        LOG.warn("{}: skipping {}", config.modelId(), record.skipReason());
      } else if (record.retraction() != null) {
        continue;
      } else if (record.quarantined()) {
        quarantined.add(record.sample());
      } else if (retracted.contains(record.sample().getId())) {
        dropped++;
      } else {
        samples.add(record.sample());
      }
    }
    if (!retractedNow.isEmpty()) {
      forget(retractedNow, dropped);
    } else if (dropped > 0) {
      LOG.info("{}: dropped {} credible sample(s) retracted before their verdict arrived", config.modelId(), dropped);
    }
    if (refused > 0) {
      counters.retractionsRefused(refused);
    }
    if (!quarantined.isEmpty()) {
      learner.addUnlabelled(quarantined);
    }
    if (!samples.isEmpty()) {
      learner.learn(samples);
    }
    checkpointer.consumed(batch);
    counters.batch(batch.size(), samples.size(), quarantined.size(), skipped);
    counters.update(learner);
    listener.onBatch(batch, progress.get());
    if (checkpointer.due(learner)) {
      checkpointer.write(config.checkpointEverySteps() + " steps since the last one", learner);
    }
    long now = System.nanoTime();
    if (now - lastProgressNanos >= config.progressInterval().toNanos()) {
      lastProgressNanos = now;
      TrainingProgress p = progress.get();
      LOG.info("{}: {}", config.modelId(), p);
      listener.onProgress(p);
    }
  }

  /** Drops and unlearns the held samples (window and unlabelled pool) of newly retracted ids. */
  private void forget(Set<String> ids, int droppedVerdicts) {
    long t0 = System.nanoTime();
    ReplayLearner.Unlearning unlearning = learner.forget(ids);
    counters.retractionsApplied(ids.size(), unlearning.forgotten());
    checkpointer.changed();
    LOG.info("{}: {} retraction(s) applied: {} held sample(s) dropped and unlearnt in {} round(s)"
            + " (their clipped loss {} -> {}), {} verdict(s) of this batch dropped, the rest not held ({} ms;"
            + " {} retractions in total)", config.modelId(), ids.size(), unlearning.forgotten(), unlearning.rounds(),
        String.format("%.3f", unlearning.lossBefore()), String.format("%.3f", unlearning.lossAfter()),
        droppedVerdicts, (System.nanoTime() - t0) / 1_000_000, counters.retractionsApplied());
    listener.onRetractions(ids, unlearning, progress.get());
  }

  /** A newer Victim suppresses targets from the next step on, and re-judges the window first. */
  void useVictim(VictimModel victim) {
    learner.useVictim(victim.network());
    long t0 = System.nanoTime();
    WindowRecheck recheck = learner.recheck(victim);
    counters.recheckedOut(recheck.suspect().size());
    if (!recheck.suspect().isEmpty()) {
      checkpointer.changed();
    }
    counters.update(learner);
    // Last: whoever sees the new version sees the window it re-checked.
    counters.victimAdopted(victim.version());
    LOG.info("{}: re-check against {} v{}: {} of {} window samples now suspect, moved to unlabelled ({} ms;"
            + " {} moved out in total)", config.modelId(), victim.modelId(), victim.version(), recheck.suspect().size(),
        recheck.checked(), (System.nanoTime() - t0) / 1_000_000, counters.recheckedOut());
    listener.onRecheck(recheck, progress.get());
  }

  void finalEpochs(int epochs) {
    if (learner.windowSize() == 0) {
      LOG.info("{}: no samples in the window, skipping the {} final epoch(s)", config.modelId(), epochs);
      return;
    }
    long t0 = System.nanoTime();
    double loss = learner.trainEpochs(epochs);
    checkpointer.changed();
    counters.update(learner);
    LOG.info("{}: {} final epoch(s) over {} samples in {} s, loss {}", config.modelId(), epochs,
        learner.windowSize(), String.format("%.1f", (System.nanoTime() - t0) / 1e9), String.format("%.4f", loss));
  }

  void checkpointEndOfRun() {
    if (batchesLeft > 0) {
      LOG.info("{}: stopped for close: {} batch(es), {} records, not trained; the next run reads them",
          config.modelId(), batchesLeft, recordsLeft);
    }
    checkpointer.writeIfChanged("end of run", learner);
  }

  /**
   * Once no run is left: stops the thread and waits for it to end, then releases the learner and
   * the network. A thread still busy after {@link #CLOSE_WAIT} keeps them: freeing a native model
   * under a step crashes the JVM inside libtorch, leaking it until the process exits costs nothing.
   */
  @Override
  public void close() {
    try {
      scheduler.disposeGracefully().block(CLOSE_WAIT);
    } catch (IllegalStateException timedOut) {
      LOG.warn("{}: training thread still busy {} s after close; its model is left to the process's exit rather"
          + " than freed under it", config.modelId(), CLOSE_WAIT.toSeconds());
      scheduler.dispose();
      return;
    }
    if (learner != null) {
      learner.close();
      learner.network().close();
    }
  }
}

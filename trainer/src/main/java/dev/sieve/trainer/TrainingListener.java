package dev.sieve.trainer;

import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.versions.VictimFollower;
import dev.sieve.schemas.ModelVersion;
import java.util.List;
import java.util.Set;

/** Hears what the Beneficiary trainer does. Every method has a do-nothing default. */
public interface TrainingListener {

  TrainingListener NONE = new TrainingListener() { };

  /** Every listener of {@code listeners}, in order. */
  static TrainingListener all(List<TrainingListener> listeners) {
    List<TrainingListener> copy = List.copyOf(listeners);
    return new TrainingListener() {
      @Override
      public void onBatch(List<VerdictRecord> batch, TrainingProgress progress) {
        copy.forEach(l -> l.onBatch(batch, progress));
      }

      @Override
      public void onProgress(TrainingProgress progress) {
        copy.forEach(l -> l.onProgress(progress));
      }

      @Override
      public void onRecheck(WindowRecheck recheck, TrainingProgress progress) {
        copy.forEach(l -> l.onRecheck(recheck, progress));
      }

      @Override
      public void onRetractions(Set<String> ids, ReplayLearner.Unlearning unlearning, TrainingProgress progress) {
        copy.forEach(l -> l.onRetractions(ids, unlearning, progress));
      }

      @Override
      public void onVictimRefused(VictimFollower.Refusal refusal) {
        copy.forEach(l -> l.onVictimRefused(refusal));
      }

      @Override
      public void onCheckpoint(StoredCheckpoint checkpoint, ModelVersion published) {
        copy.forEach(l -> l.onCheckpoint(checkpoint, published));
      }
    };
  }

  /**
   * After each batch of new records (credible and quarantined, in consumption order), on the
   * training thread, before the next batch is taken. The training thread waits for it, so a slow
   * listener slows training (and therefore pushes back on the Kafka consumer): keep it cheap
   * unless that is the point.
   */
  default void onBatch(List<VerdictRecord> batch, TrainingProgress progress) { }

  /** Every {@code progressInterval} while records flow. */
  default void onProgress(TrainingProgress progress) { }

  /**
   * After a newer Victim version was adopted and has re-judged the replay window, on the
   * training thread; {@code recheck.suspect()} have just moved to the unlabelled pool.
   */
  default void onRecheck(WindowRecheck recheck, TrainingProgress progress) { }

  /**
   * After the well-formed retractions of a batch were applied, on the training thread: {@code ids}
   * are newly retracted, and {@code unlearning} says how many of them the trainer held (window or
   * unlabelled pool) and how they were unlearnt. The rest were never trained on or left before.
   */
  default void onRetractions(Set<String> ids, ReplayLearner.Unlearning unlearning, TrainingProgress progress) { }

  /**
   * A Victim version was refused (unsigned, outside the checkpoint root, missing file, wrong
   * sha256, unknown architecture, no split, ...) and skipped; training goes on with the Victim it
   * had. Called on the thread that follows the victim-models topic, not the training thread.
   */
  default void onVictimRefused(VictimFollower.Refusal refusal) { }

  /** After a checkpoint has been written and its ModelVersion acknowledged by Kafka. */
  default void onCheckpoint(StoredCheckpoint checkpoint, ModelVersion published) { }
}

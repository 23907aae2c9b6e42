package dev.sieve.trainer;

import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.schemas.ModelVersion;
import java.util.List;

/** Hears what the Beneficiary trainer does. Every method has a do-nothing default. */
public interface TrainingListener {

  TrainingListener NONE = new TrainingListener() { };

  /**
   * After each batch of new records, on the training thread, before the next batch is taken.
   * The training thread waits for it, so a slow listener slows training (and therefore pushes
   * back on the Kafka consumer): keep it cheap unless that is the point.
   */
  default void onBatch(List<CredibleRecord> batch, TrainingProgress progress) { }

  /** Every {@code progressInterval} while records flow. */
  default void onProgress(TrainingProgress progress) { }

  /** After a checkpoint has been written and its ModelVersion acknowledged by Kafka. */
  default void onCheckpoint(StoredCheckpoint checkpoint, ModelVersion published) { }
}

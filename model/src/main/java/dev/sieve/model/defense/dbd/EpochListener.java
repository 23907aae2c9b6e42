package dev.sieve.model.defense.dbd;

/**
 * Hears the end of every epoch of every DBD stage, for progress output, and every batch, where a
 * caller that has to stop may throw {@link java.util.concurrent.CancellationException}: a DBD
 * round takes minutes on a small CPU, too long for a SIGTERM to wait for its end.
 */
@FunctionalInterface
public interface EpochListener {

  EpochListener NONE = (stage, epoch, epochs, meanLoss) -> { };

  /**
   * @param stage {@link DbdTrainer#SIMCLR}, {@link DbdTrainer#LINEAR} or {@link DbdTrainer#MIXMATCH}
   * @param epoch 1-based within the stage
   * @param epochs the stage's epoch count
   * @param meanLoss the epoch's mean loss per step
   */
  void onEpoch(String stage, int epoch, int epochs, double meanLoss);

  /**
   * After each training step of {@code stage}; the default does nothing. An exception thrown here
   * abandons the training; the network is then half-trained and must not be used.
   */
  default void afterBatch(String stage) { }
}

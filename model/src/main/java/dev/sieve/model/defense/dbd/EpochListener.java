package dev.sieve.model.defense.dbd;

/** Hears the end of every epoch of every DBD stage, for progress output. */
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
}

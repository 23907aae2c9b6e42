package dev.sieve.model.defense.split;

/**
 * What a split policy sees of the window: the Victim's entropy and the claimed label of every
 * sample, and (when the policy asks for it) what an independent reference model predicts for it.
 *
 * @param referencePredictions the reference model's class for each sample, or null
 * @param referenceTrained which samples the reference model learnt from, or null: then they are
 *     taken to be {@link ReferenceSet#leastCertain} of each class, what the default reference
 *     learns from (a probe table, which does not record them)
 */
public record WindowScores(double[] entropies, int[] labels, int numClasses, int[] referencePredictions,
    boolean[] referenceTrained) {

  public WindowScores {
    if (entropies.length != labels.length
        || (referencePredictions != null && referencePredictions.length != labels.length)
        || (referenceTrained != null && referenceTrained.length != labels.length)) {
      throw new IllegalArgumentException("window scores disagree in length: " + entropies.length + " entropies, "
          + labels.length + " labels" + (referencePredictions == null ? "" : ", " + referencePredictions.length + " predictions")
          + (referenceTrained == null ? "" : ", " + referenceTrained.length + " reference training flags"));
    }
  }

  /** Without a record of what the reference learnt from (see {@link #referenceTrained}). */
  public WindowScores(double[] entropies, int[] labels, int numClasses, int[] referencePredictions) {
    this(entropies, labels, numClasses, referencePredictions, null);
  }

  public int size() {
    return labels.length;
  }

  /** {@link #referenceTrained}, or the default reference's training set when it was not recorded. */
  public boolean[] referenceTrainedOrDefault() {
    return referenceTrained != null ? referenceTrained
        : ReferenceSet.mask(ReferenceSet.leastCertain(entropies, labels, null, numClasses), labels.length);
  }
}

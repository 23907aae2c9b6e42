package dev.sieve.model.defense.split;

/**
 * What a split policy sees of the window: the Victim's entropy and the claimed label of every
 * sample, and (when the policy asks for it) what an independent reference model predicts for it.
 *
 * @param referencePredictions the reference model's class for each sample, or null
 */
public record WindowScores(double[] entropies, int[] labels, int numClasses, int[] referencePredictions) {

  public WindowScores {
    if (entropies.length != labels.length
        || (referencePredictions != null && referencePredictions.length != labels.length)) {
      throw new IllegalArgumentException("window scores disagree in length: " + entropies.length + " entropies, "
          + labels.length + " labels" + (referencePredictions == null ? "" : ", " + referencePredictions.length + " predictions"));
    }
  }

  public int size() {
    return labels.length;
  }
}

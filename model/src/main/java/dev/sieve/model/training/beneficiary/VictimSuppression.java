package dev.sieve.model.training.beneficiary;

/**
 * V&B's suppressed targets: {@code clip(onehot(y) − softmax(victimLogits / T), 0, 1)}.
 *
 * <p>Why it works: the Victim is retrained on the suspicious samples only, so it keeps the
 * backdoor and forgets the clean task. On a poisoned sample relabelled to the target class it is
 * sure of that class, so the target's one entry {@code 1 − p_y} is ≈ 0 and the sample teaches the
 * Beneficiary nothing; on a clean sample it is unsure, so the target stays close to one-hot. The
 * temperature softens the Victim so that only real certainty suppresses.
 *
 * <p>The clip arithmetic: every class but {@code y} gets {@code max(0, 0 − p_c) = 0}, and {@code y}
 * gets {@code 1 − p_y}, which is never negative. The targets are NOT renormalised (nor are they in
 * V&B): a suppressed sample simply weighs less in the loss.
 */
public final class VictimSuppression {

  private VictimSuppression() {}

  /** Plain one-hot targets, {@code [n, numClasses]} row-major. */
  public static float[] oneHot(int[] labels, int numClasses) {
    float[] out = new float[labels.length * numClasses];
    for (int i = 0; i < labels.length; i++) {
      checkLabel(i, labels[i], numClasses);
      out[i * numClasses + labels[i]] = 1f;
    }
    return out;
  }

  /**
   * Suppressed targets, {@code [n, numClasses]} row-major, from the Victim's raw logits
   * ({@code [n, numClasses]} row-major) at the given temperature.
   */
  public static float[] targets(int[] labels, float[] victimLogits, int numClasses, double temperature) {
    if (victimLogits.length != labels.length * numClasses) {
      throw new IllegalArgumentException("victim logits have " + victimLogits.length + " values, expected "
          + labels.length + " samples * " + numClasses + " classes");
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature is " + temperature + ", expected > 0");
    }
    float[] out = new float[labels.length * numClasses];
    for (int i = 0; i < labels.length; i++) {
      int y = labels[i];
      checkLabel(i, y, numClasses);
      int base = i * numClasses;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < numClasses; k++) {
        max = Math.max(max, victimLogits[base + k]);
      }
      double sum = 0;
      double others = 0;
      for (int k = 0; k < numClasses; k++) {
        double e = Math.exp((victimLogits[base + k] - max) / temperature);
        sum += e;
        if (k != y) {
          others += e;
        }
      }
      // 1 − p_y taken as the other classes' share, which stays exact (and non-zero) when the
      // Victim is very sure, where 1 − p_y in floating point would cancel to 0.
      out[base + y] = (float) (others / sum);
    }
    return out;
  }

  private static void checkLabel(int index, int label, int numClasses) {
    if (label < 0 || label >= numClasses) {
      throw new IllegalArgumentException("label of sample " + index + " is " + label
          + ", expected a class in [0, " + numClasses + ")");
    }
  }
}

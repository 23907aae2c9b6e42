package dev.sieve.model;

/** Prediction entropy as V&B defines it: the mean over classes, not the sum. */
public final class Entropy {

  private Entropy() {}

  /** {@code -mean_c p_c log p_c} of one probability vector. */
  public static double meanEntropy(float[] probabilities, int offset, int numClasses) {
    double sum = 0;
    for (int c = 0; c < numClasses; c++) {
      double p = probabilities[offset + c];
      if (p > 0) {
        sum -= p * Math.log(p);
      }
    }
    return sum / numClasses;
  }

  /** The largest possible mean entropy, reached by the uniform distribution: log(C)/C. */
  public static double maxMeanEntropy(int numClasses) {
    return Math.log(numClasses) / numClasses;
  }
}

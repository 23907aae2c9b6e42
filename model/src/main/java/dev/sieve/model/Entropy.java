package dev.sieve.model;

/** Prediction entropy as V&B defines it: the mean over classes, not the sum. */
public final class Entropy {

  private Entropy() {}

  /**
   * {@code -mean_c p_c log p_c} computed in double precision straight from the logits. Going
   * through float32 probabilities loses the low end: a confidently predicted sample's top-class
   * probability rounds to exactly 1 and its small ones underflow, so trigger-carrying samples and
   * merely easy clean samples end up with the same entropy. The top class's log-probability is
   * taken as {@code -log1p(sum_{j != top} exp(z_j - z_top))}, which stays exact as that sum shrinks.
   */
  public static double meanEntropyFromLogits(float[] logits, int offset, int numClasses) {
    int top = offset;
    for (int c = offset + 1; c < offset + numClasses; c++) {
      if (logits[c] > logits[top]) {
        top = c;
      }
    }
    double zTop = logits[top];
    double rest = 0;
    for (int c = offset; c < offset + numClasses; c++) {
      if (c != top) {
        rest += Math.exp(logits[c] - zTop);
      }
    }
    double logPTop = -Math.log1p(rest);
    double sum = -Math.exp(logPTop) * logPTop;
    for (int c = offset; c < offset + numClasses; c++) {
      if (c != top) {
        double logP = (logits[c] - zTop) + logPTop;
        sum -= Math.exp(logP) * logP;
      }
    }
    return sum / numClasses;
  }

  /** The largest possible mean entropy, reached by the uniform distribution: log(C)/C. */
  public static double maxMeanEntropy(int numClasses) {
    return Math.log(numClasses) / numClasses;
  }
}

package dev.sieve.eval.metrics;

/**
 * How well a set of verdicts finds the poisoned samples: recall (TPR) over the poisoned, FPR over
 * the clean, precision over the flagged, and the AUROC of the score behind them (NaN when the
 * score is not given or one side is empty). The offline cells and the streaming evaluator's
 * {@link DetectionReport} both get theirs from {@link #of(long, long, long, long, double)}.
 *
 * <p>"Positive" means poisoned and flagged (quarantined). A rate whose denominator is zero (say
 * recall in a run without poison) is {@code NaN}, never a made-up 0 or 1.
 *
 * @param poisoned poisoned samples, TP + FN
 * @param clean clean samples, FP + TN
 * @param flagged flagged samples, TP + FP
 * @param truePositives poisoned and flagged
 * @param recall TP / (TP + FN)
 * @param fpr FP / (FP + TN)
 * @param precision TP / (TP + FP)
 * @param auroc how well the score ranks poisoned above clean samples, whatever the thresholds
 */
public record Detection(long poisoned, long clean, long flagged, long truePositives, double recall, double fpr,
    double precision, double auroc) {

  /** The counts of a confusion matrix and the rates they give. */
  public static Detection of(long truePositives, long falsePositives, long falseNegatives, long trueNegatives,
      double auroc) {
    return new Detection(truePositives + falseNegatives, falsePositives + trueNegatives,
        truePositives + falsePositives, truePositives,
        ratio(truePositives, truePositives + falseNegatives),
        ratio(falsePositives, falsePositives + trueNegatives),
        ratio(truePositives, truePositives + falsePositives),
        auroc);
  }

  /**
   * Sample {@code i} flagged or not against its ground truth; the AUROC of {@code suspicionScore}
   * (higher = more suspect), or NaN when it is null.
   */
  public static Detection of(boolean[] flagged, boolean[] poisoned, double[] suspicionScore) {
    long tp = 0;
    long fp = 0;
    long positives = 0;
    for (int i = 0; i < poisoned.length; i++) {
      positives += poisoned[i] ? 1 : 0;
      if (flagged[i]) {
        tp += poisoned[i] ? 1 : 0;
        fp += poisoned[i] ? 0 : 1;
      }
    }
    long negatives = poisoned.length - positives;
    double auroc = suspicionScore == null ? Double.NaN : Roc.auroc(suspicionScore, poisoned);
    return of(tp, fp, positives - tp, negatives - fp, auroc);
  }

  /** Lower entropy is more suspicious: the score ROC curves and AUROC are computed on. */
  public static double[] suspicion(double[] entropies) {
    double[] out = new double[entropies.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = -entropies[i];
    }
    return out;
  }

  /** Clean and flagged, FP. */
  public long falsePositives() {
    return flagged - truePositives;
  }

  /** Poisoned and not flagged, FN. */
  public long falseNegatives() {
    return poisoned - truePositives;
  }

  /** Clean and not flagged, TN. */
  public long trueNegatives() {
    return clean - falsePositives();
  }

  /** {@code numerator / denominator}, or NaN when the denominator is 0. */
  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? Double.NaN : (double) numerator / denominator;
  }
}

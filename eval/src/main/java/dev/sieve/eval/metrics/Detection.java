package dev.sieve.eval.metrics;


/**
 * How well a set of verdicts finds the poisoned samples: recall (TPR) over the poisoned, FPR over
 * the clean, precision over the flagged, and the AUROC of the score behind them (NaN when the
 * score is not given or one side is empty).
 */
public record Detection(int poisoned, int clean, int flagged, int truePositives, double recall, double fpr,
    double precision, double auroc) {

  public static Detection of(boolean[] flagged, boolean[] poisoned, double[] suspicionScore) {
    int tp = 0;
    int fp = 0;
    int positives = 0;
    for (int i = 0; i < poisoned.length; i++) {
      positives += poisoned[i] ? 1 : 0;
      if (flagged[i]) {
        tp += poisoned[i] ? 1 : 0;
        fp += poisoned[i] ? 0 : 1;
      }
    }
    int negatives = poisoned.length - positives;
    double auroc = suspicionScore == null ? Double.NaN : Roc.auroc(suspicionScore, poisoned);
    return new Detection(positives, negatives, tp + fp, tp,
        positives == 0 ? Double.NaN : (double) tp / positives,
        negatives == 0 ? Double.NaN : (double) fp / negatives,
        tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp),
        auroc);
  }

  /** Lower entropy is more suspicious: the score ROC curves and AUROC are computed on. */
  public static double[] suspicion(double[] entropies) {
    double[] out = new double[entropies.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = -entropies[i];
    }
    return out;
  }
}

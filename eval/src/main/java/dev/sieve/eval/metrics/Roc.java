package dev.sieve.eval.metrics;


/**
 * ROC curves and AUROC for the report. Higher score = more likely positive, so an entropy-based
 * detector passes {@code -entropy}. The ranking itself lives in {@link RocAnalysis} (module
 * loadtest), which the streaming evaluator uses too: offline and streaming AUROC are one algorithm.
 */
public final class Roc {

  private Roc() {}

  /**
   * One detector's curve, ready to plot.
   *
   * @param fpr false-positive rates, from 0 to 1, one point per group of equal scores
   * @param tpr true-positive rates at the same thresholds
   * @param auroc the area under it, equal to {@link #auroc(double[], boolean[])}
   */
  public record Curve(double[] fpr, double[] tpr, double auroc) {}

  /**
   * The curve from (0,0) to (1,1), a tied group of scores taken as one step. Needs at least one
   * positive and one negative.
   */
  public static Curve curve(double[] scores, boolean[] positive) {
    RocAnalysis.Points points = RocAnalysis.curve(scores, positive);
    return new Curve(points.fpr(), points.tpr(), RocAnalysis.auroc(scores, positive));
  }

  /** Mann-Whitney AUROC, a tie counting half; NaN when either class is empty. */
  public static double auroc(double[] scores, boolean[] positive) {
    return RocAnalysis.auroc(scores, positive);
  }
}

package dev.sieve.eval.metrics;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The receiver operating characteristic of a score against a yes/no ground truth: the AUROC and
 * the curve's corner points, for the offline cells and the streaming verdicts alike. Higher score
 * means more likely positive; a detector whose signal is the other way round (low entropy =
 * poisoned) passes {@link Detection#suspicion} of its values.
 *
 * <p>Both come from one ranking of the scores. Equal scores form one group: the curve moves through
 * a tied group in a single diagonal step, and the AUROC counts a tied positive/negative pair as
 * half a win, so the trapezoid area under the curve and the Mann-Whitney AUROC are the same number.
 */
public final class Roc {

  private Roc() {}

  /**
   * One detector's curve, ready to plot: from (0,0) to (1,1), one point per group of equal scores,
   * highest scores first.
   *
   * @param fpr false-positive rates, from 0 to 1
   * @param tpr true-positive rates at the same thresholds
   * @param auroc the area under it, equal to {@link #auroc(double[], boolean[])}
   */
  public record Curve(double[] fpr, double[] tpr, double auroc) {}

  /** The scores' indices in ascending score order, and how many of them are positive and negative. */
  private record Ranking(Integer[] order, long positives, long negatives) {

    boolean hasBothClasses() {
      return positives > 0 && negatives > 0;
    }
  }

  /**
   * P(score of a random positive > score of a random negative) + 0.5 P(equal), by the rank-sum
   * (Mann-Whitney U) formula with mid-ranks for ties; NaN when either class is empty.
   */
  public static double auroc(double[] scores, boolean[] positive) {
    Ranking ranking = rank(scores, positive);
    if (!ranking.hasBothClasses()) {
      return Double.NaN;
    }
    Integer[] order = ranking.order();
    double positiveRankSum = 0;
    int i = 0;
    while (i < order.length) {
      int end = endOfTies(scores, order, i);
      // Ranks i+1 .. end (1-based) share their mean.
      double midRank = (i + 1 + end) / 2.0;
      for (int k = i; k < end; k++) {
        if (positive[order[k]]) {
          positiveRankSum += midRank;
        }
      }
      i = end;
    }
    long positives = ranking.positives();
    double u = positiveRankSum - positives * (positives + 1) / 2.0;
    return u / ((double) positives * ranking.negatives());
  }

  /**
   * The curve's corner points, thresholds sweeping from above the highest score down to the
   * lowest, with its {@link #auroc}. Needs at least one positive and one negative: with a class
   * empty one of the rates has no denominator and there is no curve to draw.
   */
  public static Curve curve(double[] scores, boolean[] positive) {
    Ranking ranking = rank(scores, positive);
    if (!ranking.hasBothClasses()) {
      throw new IllegalArgumentException("a ROC curve needs positives and negatives, got " + ranking.positives()
          + " positive and " + ranking.negatives() + " negative of " + positive.length + " scores");
    }
    Integer[] order = ranking.order();
    double[] fpr = new double[order.length + 1];
    double[] tpr = new double[order.length + 1];
    int points = 1;
    long tp = 0;
    long fp = 0;
    int end = order.length;
    while (end > 0) {
      int start = startOfTies(scores, order, end);
      for (int k = start; k < end; k++) {
        if (positive[order[k]]) {
          tp++;
        } else {
          fp++;
        }
      }
      fpr[points] = (double) fp / ranking.negatives();
      tpr[points] = (double) tp / ranking.positives();
      points++;
      end = start;
    }
    // The area is the Mann-Whitney count rather than the trapezoids summed here: the same number,
    // without the rounding a long sum of small areas gathers.
    return new Curve(Arrays.copyOf(fpr, points), Arrays.copyOf(tpr, points), auroc(scores, positive));
  }

  /** Ranks the scores; rejects mismatched lengths and NaN scores by index. */
  private static Ranking rank(double[] scores, boolean[] positive) {
    if (scores.length != positive.length) {
      throw new IllegalArgumentException("scores and labels differ in length: " + scores.length + " scores, "
          + positive.length + " labels");
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < scores.length; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score " + i + " is NaN; every sample needs a score to be ranked");
      }
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    long positives = 0;
    for (boolean p : positive) {
      positives += p ? 1 : 0;
    }
    return new Ranking(order, positives, positive.length - positives);
  }

  /** First index after the run of scores equal to {@code scores[order[from]]}. */
  private static int endOfTies(double[] scores, Integer[] order, int from) {
    int end = from + 1;
    while (end < order.length && scores[order[end]] == scores[order[from]]) {
      end++;
    }
    return end;
  }

  /** First index of the run of scores equal to {@code scores[order[end - 1]]}. */
  private static int startOfTies(double[] scores, Integer[] order, int end) {
    int start = end - 1;
    while (start > 0 && scores[order[start - 1]] == scores[order[end - 1]]) {
      start--;
    }
    return start;
  }
}

package dev.sieve.stream.updater;

import dev.sieve.stream.victim.SplitRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sieve's default split ({@code --split class-mixture}): V&amp;B's entropy criterion with the
 * threshold found per claimed class instead of fixed, so no poison rate is assumed.
 *
 * <p>Why per class: after warm-up the lowest entropies belong both to poison and to easy clean
 * classes (trousers, bags, sandals are predicted with near certainty), so no single threshold over
 * all samples separates them. Inside the class the poison claims, though, trigger-carrying
 * samples sit orders of magnitude below the class's clean members. So each class's log-entropies
 * get a two-component Gaussian mixture, and only a class whose low component sits far below its
 * high one is split: at least {@code minGapDecades} orders of magnitude (3.5), or at least 2.5
 * while exceeding every other class's gap by 0.7 (see {@link #standsOut}). Every other class
 * quarantines nothing. A trigger makes the Victim a thousand times and more
 * surer than it is of the class's own samples; natural easy/hard structure inside a clean class
 * spans about two decades at most. A clean stream therefore quarantines nothing at all. (Log-
 * entropy has a long left tail, so a likelihood or BIC test calls every class bimodal; Ashman's D
 * separation swings with the poison cluster's width and proved unreliable too.)
 *
 * <p>The Victim's retraining set is wider on purpose: one mixture over all log-entropies, the low
 * component. It contains the poison and the easiest clean samples; retraining on it keeps the
 * trigger sharp while the Victim drifts away from the harder clean samples.
 *
 * <p>The gates come from measurements on Fashion-MNIST: clean classes' components were at most
 * 2.8 decades apart (and then with another clean class within 0.1 of it), the 10 %-poisoned class
 * 3.2-4.5 after five rounds, at least 0.8 above every clean class; docs/split-rule.md has the
 * numbers.
 */
public final class ClassMixtureSplit implements SplitPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(ClassMixtureSplit.class);
  public static final double DEFAULT_MIN_GAP_DECADES = 3.5;
  /** How far below the absolute gate a class may split if it stands out from every other class. */
  static final double RELATIVE_SLACK = 1.0;
  /** By how many decades such a class must exceed every other class's gap. */
  static final double RELATIVE_MARGIN = 0.7;
  /** Fewer samples than this in a class give no trustworthy mixture; such a class is never split. */
  public static final int MIN_CLASS_SAMPLES = 50;
  private static final double EPSILON = 1e-12;
  /**
   * In a class that is split, a sample is suspect while the low cluster's posterior is at least
   * this. Below one half on purpose: the poison cluster's upper tail reaches into the clean
   * cluster, and in a class already shown to carry poison a missed poisoned sample costs the
   * Beneficiary more than a withheld clean one.
   */
  static final double SUSPECT_POSTERIOR = 0.1;

  private static final double LN_10 = Math.log(10);
  private final double minGapDecades;

  public ClassMixtureSplit(double minGapDecades) {
    if (!(minGapDecades > 0)) {
      throw new IllegalArgumentException("minimum gap must be > 0 decades, got " + minGapDecades);
    }
    this.minGapDecades = minGapDecades;
  }

  public static ClassMixtureSplit defaults() {
    return new ClassMixtureSplit(DEFAULT_MIN_GAP_DECADES);
  }

  @Override
  public boolean[] retrainSet(double[] entropies, int[] labels, int numClasses, int round) {
    double[] x = logs(entropies);
    boolean[] out = new boolean[x.length];
    if (x.length < 2) {
      return out;
    }
    TwoGaussianMixture mixture = TwoGaussianMixture.fit(x);
    double boundary = mixture.boundary();
    double cut = Double.isNaN(boundary) ? mixture.meanLow() : boundary;
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] <= cut;
    }
    return out;
  }

  @Override
  public SplitRule detection(double[] entropies, int[] labels, int numClasses, int round) {
    SplitRule window = SplitRule.overWindow(entropies, numClasses);
    double[] thresholds = new double[numClasses];
    double[] gaps = new double[numClasses];
    double[] boundaries = new double[numClasses];
    java.util.Arrays.fill(gaps, Double.NaN);
    for (int c = 0; c < numClasses; c++) {
      thresholds[c] = -1;
      double[] x = logs(ofClass(entropies, labels, c));
      if (x.length >= MIN_CLASS_SAMPLES) {
        TwoGaussianMixture mixture = TwoGaussianMixture.fit(x);
        gaps[c] = (mixture.meanHigh() - mixture.meanLow()) / LN_10;
        boundaries[c] = mixture.boundary(SUSPECT_POSTERIOR);
      }
    }
    List<String> report = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      boolean split = standsOut(gaps, c) && !Double.isNaN(boundaries[c]);
      if (split && window.entropyMax() > window.entropyMin()) {
        thresholds[c] = window.score(Math.exp(boundaries[c]) - EPSILON);
      }
      report.add(Double.isNaN(gaps[c]) ? String.format(Locale.ROOT, "c%d:few", c)
          : String.format(Locale.ROOT, "c%d:%.1f%s", c, gaps[c], split ? "*" : ""));
    }
    LOG.info("class-mixture split (round {}; decades between low and high cluster, * = split at >= {}): {}",
        round, minGapDecades, String.join(" ", report));
    return window.withThresholds(thresholds);
  }

  /**
   * Whether class {@code c}'s low cluster is far enough below its own samples: at least
   * {@code minGapDecades}, or at least {@code minGapDecades - RELATIVE_SLACK} while no other class
   * comes within {@code RELATIVE_MARGIN} of it. The second arm catches a poisoned class early
   * (when its gap is still growing) without splitting a clean class whose easy samples form a
   * low cluster of their own, because such classes come in groups of similar gaps.
   */
  private boolean standsOut(double[] gaps, int c) {
    if (Double.isNaN(gaps[c])) {
      return false;
    }
    if (gaps[c] >= minGapDecades) {
      return true;
    }
    if (gaps[c] < minGapDecades - RELATIVE_SLACK) {
      return false;
    }
    for (int other = 0; other < gaps.length; other++) {
      if (other != c && !Double.isNaN(gaps[other]) && gaps[c] - gaps[other] < RELATIVE_MARGIN) {
        return false;
      }
    }
    return true;
  }

  private static double[] ofClass(double[] entropies, int[] labels, int c) {
    int n = 0;
    for (int label : labels) {
      n += label == c ? 1 : 0;
    }
    double[] out = new double[n];
    int j = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == c) {
        out[j++] = entropies[i];
      }
    }
    return out;
  }

  private static double[] logs(double[] entropies) {
    double[] x = new double[entropies.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.log(entropies[i] + EPSILON);
    }
    return x;
  }

  @Override
  public String name() {
    return "class-mixture";
  }
}

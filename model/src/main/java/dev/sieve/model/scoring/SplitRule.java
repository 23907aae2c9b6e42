package dev.sieve.model.scoring;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How one Victim version tells suspect samples from credible ones, fitted by the Victim updater
 * on its window and shipped inside the version's {@code ModelVersion.metrics}, so every stream
 * instance applies exactly the split that was fitted for those weights.
 *
 * <p>The score is V&amp;B's: entropy min-max normalised to [0,1], here over the updater's window
 * (a stream has no "whole training set"), clipped for samples outside the window's range. A
 * sample is suspect when its score is at or below its class's threshold. A negative class
 * threshold means the fit found no low-entropy cluster in that class, so nothing of it is suspect.
 *
 * @param entropyMin the smallest entropy in the window (score 0)
 * @param entropyMax the largest entropy in the window (score 1)
 * @param thresholds the normalised threshold for each class index
 * @param featureTest the in-class test in the Victim's feature space ({@code --inclass}), or null
 *     when the version carries none: a sample its entropy does not make suspect is still a
 *     feature outlier if this test says so
 */
public record SplitRule(double entropyMin, double entropyMax, double[] thresholds, FeatureTest featureTest) {

  /** The reason prefix of a sample quarantined by the in-class feature test, not by its entropy. */
  public static final String FEATURE_OUTLIER = "feature-outlier";

  static final String MIN = "split.entropyMin";
  static final String MAX = "split.entropyMax";
  static final String THRESHOLD = "split.threshold.";

  public SplitRule {
    if (!(entropyMax >= entropyMin)) {
      throw new IllegalArgumentException("split entropy range is empty: min " + entropyMin + ", max " + entropyMax);
    }
    if (thresholds == null || thresholds.length == 0) {
      throw new IllegalArgumentException("split needs one threshold per class");
    }
    thresholds = thresholds.clone();
    if (featureTest != null && featureTest.directions().length != thresholds.length) {
      throw new IllegalArgumentException("the in-class test covers " + featureTest.directions().length
          + " classes, the split " + thresholds.length);
    }
  }

  /** An entropy split with no in-class test. */
  public SplitRule(double entropyMin, double entropyMax, double[] thresholds) {
    this(entropyMin, entropyMax, thresholds, null);
  }

  /** The same split with this in-class test (null: none). */
  public SplitRule withFeatureTest(FeatureTest test) {
    return new SplitRule(entropyMin, entropyMax, thresholds, test);
  }

  /**
   * The min-max range of a window's entropies, with no class split yet (every threshold -1): the
   * base a split policy fills in with {@link #withThresholds}.
   */
  public static SplitRule overWindow(double[] entropies, int numClasses) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double e : entropies) {
      min = Math.min(min, e);
      max = Math.max(max, e);
    }
    if (entropies.length == 0) {
      min = 0;
      max = 0;
    }
    double[] none = new double[numClasses];
    Arrays.fill(none, -1);
    return new SplitRule(min, max, none);
  }

  /** The same range with these per-class thresholds. */
  public SplitRule withThresholds(double[] perClass) {
    return new SplitRule(entropyMin, entropyMax, perClass, featureTest);
  }

  /** One threshold for every class, as in V&amp;B. */
  public static SplitRule global(double entropyMin, double entropyMax, double threshold, int numClasses) {
    double[] t = new double[numClasses];
    Arrays.fill(t, threshold);
    return new SplitRule(entropyMin, entropyMax, t);
  }

  public double score(double entropy) {
    double range = entropyMax - entropyMin;
    if (range <= 0) {
      return 0;
    }
    return Math.max(0, Math.min(1, (entropy - entropyMin) / range));
  }

  public double threshold(int label) {
    return label >= 0 && label < thresholds.length ? thresholds[label] : -1;
  }

  public Judgement judge(double entropy, int label, long version) {
    double score = score(entropy);
    double threshold = threshold(label);
    if (threshold < 0) {
      return new Judgement(score, threshold, false, String.format(Locale.ROOT,
          "class %d has no low-entropy cluster under victim v%d; score %.4f", label, version, score));
    }
    boolean suspect = score <= threshold;
    String reason = suspect
        ? String.format(Locale.ROOT, "normalised entropy %.4f <= threshold %.4f for class %d (victim v%d): "
            + "the Victim is unusually certain, as it is on trigger-carrying samples", score, threshold, label, version)
        : String.format(Locale.ROOT, "normalised entropy %.4f > threshold %.4f for class %d (victim v%d)",
            score, threshold, label, version);
    return new Judgement(score, threshold, suspect, reason);
  }

  /**
   * As {@link #judge(double, int, long)}, and a sample the entropy split leaves credible is still
   * suspect when the in-class test flags its class and {@code featureScore} (its {@link
   * FeatureTest#score}) is at or beyond the class's cut; the reason then starts with {@value
   * #FEATURE_OUTLIER}. A NaN score (no features computed) leaves the entropy's decision alone.
   */
  public Judgement judge(double entropy, double featureScore, int label, long version) {
    Judgement byEntropy = judge(entropy, label, version);
    if (byEntropy.suspect() || featureTest == null || Double.isNaN(featureScore)
        || !featureTest.outlier(featureScore, label)) {
      return byEntropy;
    }
    return new Judgement(byEntropy.score(), byEntropy.threshold(), true, String.format(Locale.ROOT,
        "%s: %s score %.4f >= cut %.4f for class %d (victim v%d): the sample sits in a separate cluster of its "
            + "class in the Victim's features, as clean-label poison does; entropy score %.4f", FEATURE_OUTLIER,
        featureTest.method(), featureScore, featureTest.cut(label), label, version, byEntropy.score()));
  }

  @Override
  public double[] thresholds() {
    return thresholds.clone();
  }

  public Map<String, Double> toMetrics() {
    Map<String, Double> metrics = new HashMap<>();
    metrics.put(MIN, entropyMin);
    metrics.put(MAX, entropyMax);
    for (int c = 0; c < thresholds.length; c++) {
      metrics.put(THRESHOLD + c, thresholds[c]);
    }
    if (featureTest != null) {
      metrics.putAll(featureTest.toMetrics());
    }
    return metrics;
  }

  /**
   * A split that finds nothing suspect in any class: what a model judges with when it comes
   * without a fitted split (a Beneficiary's checkpoint named by {@code --initial-victim}), since a
   * threshold fitted for other weights, or a fixed one, would quarantine at random.
   */
  public static SplitRule none(int numClasses) {
    double[] none = new double[numClasses];
    Arrays.fill(none, -1);
    return new SplitRule(0, 0, none);
  }

  /** Whether {@code metrics} carry a split at all (complete or not: {@link #fromMetrics} says which). */
  public static boolean carriedBy(Map<String, Double> metrics) {
    return metrics.keySet().stream().anyMatch(k -> k.equals(MIN) || k.equals(MAX) || k.startsWith(THRESHOLD));
  }

  /** Reads a split back from a ModelVersion's metrics; refuses an incomplete one. */
  public static SplitRule fromMetrics(Map<String, Double> metrics, int numClasses) {
    Double min = metrics.get(MIN);
    Double max = metrics.get(MAX);
    if (min == null || max == null) {
      throw new IllegalArgumentException("victim version has no split: metrics lack " + MIN + "/" + MAX);
    }
    double[] t = new double[numClasses];
    for (int c = 0; c < numClasses; c++) {
      Double v = metrics.get(THRESHOLD + c);
      if (v == null) {
        throw new IllegalArgumentException("victim version has no threshold for class " + c + " (metric " + THRESHOLD + c + ")");
      }
      t[c] = v;
    }
    return new SplitRule(min, max, t,
        FeatureTest.carriedBy(metrics) ? FeatureTest.fromMetrics(metrics, numClasses) : null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SplitRule other && entropyMin == other.entropyMin && entropyMax == other.entropyMax
        && Arrays.equals(thresholds, other.thresholds) && Objects.equals(featureTest, other.featureTest);
  }

  @Override
  public int hashCode() {
    return 31 * Double.hashCode(entropyMin) + 17 * Double.hashCode(entropyMax) + Arrays.hashCode(thresholds)
        + Objects.hashCode(featureTest);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "SplitRule[min=%.3g, max=%.3g, thresholds=%s%s]", entropyMin, entropyMax,
        Arrays.toString(thresholds), featureTest == null ? "" : ", " + featureTest);
  }
}

package dev.sieve.model.scoring;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The in-class test a Victim version ships beside its entropy split: for each class that the
 * updater found to hold a separate cluster in the Victim's penultimate features, one direction
 * {@code w} in that feature space and a cut {@code t}; a sample of that class is a feature
 * outlier when {@code w · f >= t}. A class the test did not flag has no direction and quarantines
 * nothing through it.
 *
 * <p>Why a linear rule: both fitted tests (spectral signatures after whitening, and 2-means after
 * PCA) decide on one side of a hyperplane in the features, so the filter applies either with one
 * dot product per sample and the version carries {@code featureWidth + 1} numbers per flagged
 * class. It lives in the checkpoint's hashed header like the entropy split, so routing never
 * depends on an unhashed copy.
 *
 * @param method which test fitted it ({@code spectral}, {@code clustering}), for reasons and logs
 * @param featureWidth the width of the penultimate features the directions live in
 * @param directions per class, the direction, or null for a class the test did not flag
 * @param cuts per class, the cut on {@code w · f} (NaN where no direction)
 */
public record FeatureTest(String method, int featureWidth, float[][] directions, double[] cuts) {

  static final String PREFIX = "inclass.";
  static final String METHOD = PREFIX + "method";
  static final String WIDTH = PREFIX + "width";
  static final String CUT = PREFIX + "cut.";
  static final String WEIGHT = PREFIX + "w.";

  /** The method codes stored in {@link #METHOD}: a metric map holds numbers only. */
  private static final String[] METHODS = {"spectral", "clustering"};

  public FeatureTest {
    if (featureWidth < 1 || directions == null || cuts == null || directions.length != cuts.length
        || directions.length == 0) {
      throw new IllegalArgumentException("a feature test needs a width >= 1 and one (possibly empty) direction and"
          + " cut per class");
    }
    if (Arrays.asList(METHODS).indexOf(method) < 0) {
      throw new IllegalArgumentException("unknown in-class method '" + method + "'; known: " + Arrays.toString(METHODS));
    }
    float[][] copy = new float[directions.length][];
    for (int c = 0; c < directions.length; c++) {
      if (directions[c] != null) {
        if (directions[c].length != featureWidth || !Double.isFinite(cuts[c])) {
          throw new IllegalArgumentException("class " + c + " of the feature test has " + directions[c].length
              + " weights (want " + featureWidth + ") and cut " + cuts[c]);
        }
        copy[c] = directions[c].clone();
      }
    }
    directions = copy;
    cuts = cuts.clone();
  }

  /** Whether class {@code label} is tested at all. */
  public boolean flags(int label) {
    return label >= 0 && label < directions.length && directions[label] != null;
  }

  /** How many classes the test flagged. */
  public int flaggedClasses() {
    int n = 0;
    for (float[] d : directions) {
      n += d == null ? 0 : 1;
    }
    return n;
  }

  /**
   * {@code w · f} of the sample whose features start at {@code features[offset]}, or NaN for a
   * class the test does not flag.
   */
  public double score(float[] features, int offset, int label) {
    if (!flags(label)) {
      return Double.NaN;
    }
    float[] w = directions[label];
    double s = 0;
    for (int k = 0; k < featureWidth; k++) {
      s += (double) w[k] * features[offset + k];
    }
    return s;
  }

  /** Whether a sample of class {@code label} with score {@code score} (from {@link #score}) is an outlier. */
  public boolean outlier(double score, int label) {
    return flags(label) && score >= cuts[label];
  }

  public double cut(int label) {
    return flags(label) ? cuts[label] : Double.NaN;
  }

  @Override
  public float[][] directions() {
    float[][] out = new float[directions.length][];
    for (int c = 0; c < out.length; c++) {
      out[c] = directions[c] == null ? null : directions[c].clone();
    }
    return out;
  }

  @Override
  public double[] cuts() {
    return cuts.clone();
  }

  /** Into a checkpoint's metrics: the method, the width, and per flagged class its cut and weights. */
  Map<String, Double> toMetrics() {
    Map<String, Double> out = new HashMap<>();
    out.put(METHOD, (double) Arrays.asList(METHODS).indexOf(method));
    out.put(WIDTH, (double) featureWidth);
    for (int c = 0; c < directions.length; c++) {
      if (directions[c] != null) {
        out.put(CUT + c, cuts[c]);
        for (int k = 0; k < featureWidth; k++) {
          out.put(WEIGHT + c + "." + k, (double) directions[c][k]);
        }
      }
    }
    return out;
  }

  /** Whether a metric key belongs to a feature test's weights: too many for a person, kept out of the published copy. */
  public static boolean isWeight(String metricKey) {
    return metricKey.startsWith(WEIGHT);
  }

  static boolean carriedBy(Map<String, Double> metrics) {
    return metrics.containsKey(METHOD);
  }

  /** Reads a test back; refuses an incomplete or malformed one rather than applying part of it. */
  static FeatureTest fromMetrics(Map<String, Double> metrics, int numClasses) {
    Double code = metrics.get(METHOD);
    Double width = metrics.get(WIDTH);
    if (code == null || width == null || code != Math.rint(code) || code < 0 || code >= METHODS.length
        || width != Math.rint(width) || width < 1 || width > 1 << 16) {
      throw new IllegalArgumentException("victim version carries a malformed in-class test: " + METHOD + "=" + code
          + ", " + WIDTH + "=" + width);
    }
    int w = width.intValue();
    float[][] directions = new float[numClasses][];
    double[] cuts = new double[numClasses];
    Arrays.fill(cuts, Double.NaN);
    for (int c = 0; c < numClasses; c++) {
      Double cut = metrics.get(CUT + c);
      if (cut == null) {
        continue;
      }
      directions[c] = new float[w];
      for (int k = 0; k < w; k++) {
        Double v = metrics.get(WEIGHT + c + "." + k);
        if (v == null || !Double.isFinite(v)) {
          throw new IllegalArgumentException("victim version's in-class test for class " + c + " lacks weight " + k);
        }
        directions[c][k] = v.floatValue();
      }
      cuts[c] = cut;
    }
    return new FeatureTest(METHODS[code.intValue()], w, directions, cuts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureTest other && method.equals(other.method) && featureWidth == other.featureWidth
        && Arrays.deepEquals(directions, other.directions) && Arrays.equals(cuts, other.cuts);
  }

  @Override
  public int hashCode() {
    return 31 * method.hashCode() + 17 * Arrays.deepHashCode(directions) + Arrays.hashCode(cuts);
  }

  @Override
  public String toString() {
    StringBuilder flagged = new StringBuilder();
    for (int c = 0; c < directions.length; c++) {
      if (directions[c] != null) {
        flagged.append(flagged.length() == 0 ? "" : ",").append(c);
      }
    }
    return String.format(Locale.ROOT, "FeatureTest[%s, flagged classes {%s}]", method, flagged);
  }
}

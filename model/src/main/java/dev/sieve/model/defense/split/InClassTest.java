package dev.sieve.model.defense.split;

import dev.sieve.model.scoring.FeatureTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A test inside each claimed class, in the Victim's penultimate features, for poison that keeps
 * its correct label (SIG, label-consistent): the entropy split cannot see it, because the
 * reference model agrees with the label. Such samples share a feature the class's clean members
 * lack (the trigger), so the Victim's features of the class hold a second, separate cluster.
 *
 * <p>Two candidates ({@code --inclass}):
 * <ul>
 *   <li>{@link #SPECTRAL}, spectral signatures with a robust covariance (after SPECTRE): project
 *       the class onto its top {@value #DIMENSIONS} principal directions, estimate a robust
 *       mean and covariance from the most central {@value #CORE_SHARE} of the class (concentration
 *       steps, as in minimum covariance determinant), whiten, and take the top direction of the
 *       whitened class. The class's statistic is that direction's variance: about 1 when the
 *       class is one cluster, large when a part of it lies apart.</li>
 *   <li>{@link #CLUSTERING}, activation clustering: 2-means on the same projection, whitened by
 *       the class's covariance; the statistic is Fisher's ratio of the two clusters along the line
 *       through their centres (about 7 for one Gaussian cut in two, whatever its shape).</li>
 * </ul>
 *
 * <p>No threshold is fitted to an attack: a class is flagged only when its statistic (on a log
 * scale) lies more than {@link Settings#minZ} robust deviations above the median of the same
 * statistic over the other classes of the same window (median and MAD, leave-one-out, the MAD
 * floored at {@value #MIN_SCALE}), so the
 * test calibrates itself on the stream and a clean stream's classes flag each other out. In a
 * flagged class the two groups along the found direction are fitted with a two-component
 * mixture; the group the Victim is more certain about (lower median entropy: the Victim learns a
 * trigger faster than the clean task, V&amp;B's premise) is the suspect one, and the cut is the
 * mixture's 50/50 point. The sizes of the groups do not enter, so a clean-label attack that
 * poisons half of its class is not mistaken for its clean half by size alone.
 */
public enum InClassTest {

  /** No in-class test: the entropy split alone decides. */
  NONE("none"),
  SPECTRAL("spectral"),
  CLUSTERING("clustering");

  public static final List<String> NAMES = List.of("none", "spectral", "clustering");

  /** Principal directions a class is reduced to before either test. */
  static final int DIMENSIONS = 10;
  /** The share of a class the robust covariance is estimated from. */
  static final double CORE_SHARE = 0.6;
  /**
   * The smallest robust spread the z-score divides by, in the statistics' log units: when every
   * class measures the same to within a few per cent (a clean stream's classes under the
   * clustering statistic, whose null is a constant), the MAD alone would turn a 10 % difference
   * into a large z. Differences below 10 % are a window's sampling noise, whatever the attack.
   */
  static final double MIN_SCALE = 0.1;
  /** Classes with fewer samples in the window are not tested. */
  static final int MIN_CLASS_SAMPLES = 50;

  private final String id;

  InClassTest(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static InClassTest byName(String name) {
    for (InClassTest t : values()) {
      if (t.id.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown in-class test '" + name + "'; choose one of " + NAMES);
  }

  /**
   * @param minZ robust deviations above the other classes' median a class's statistic must lie to
   *     be flagged
   */
  public record Settings(double minZ) {
    public static final double DEFAULT_MIN_Z = 3.5;

    public static Settings defaults() {
      return new Settings(DEFAULT_MIN_Z);
    }
  }

  /**
   * One window's fit: the test to publish (null for {@link #NONE}), and per class its statistic
   * and robust z against the other classes (NaN for a class too small to test), for logs and
   * {@code ./sieve probe}.
   */
  public record Fit(FeatureTest test, double[] statistic, double[] z) {

    public String describe() {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < z.length; c++) {
        sb.append(c == 0 ? "" : " ").append(String.format(Locale.ROOT, "c%d %.2f/z%.1f%s", c, statistic[c], z[c],
            test != null && test.flags(c) ? "*" : ""));
      }
      return sb.toString();
    }
  }

  /**
   * Fits the test on a window.
   *
   * @param features penultimate features, row-major {@code [n * width]}
   * @param entropies the Victim's entropy of each sample (which side of a split class is suspect)
   */
  public Fit fit(float[] features, int width, int[] labels, double[] entropies, int numClasses, Settings settings) {
    double[] statistic = new double[numClasses];
    double[] z = new double[numClasses];
    Arrays.fill(statistic, Double.NaN);
    Arrays.fill(z, Double.NaN);
    if (this == NONE) {
      return new Fit(null, statistic, z);
    }
    if (features.length != (long) labels.length * width || entropies.length != labels.length) {
      throw new IllegalArgumentException("features, labels and entropies disagree: " + features.length + " floats of width "
          + width + ", " + labels.length + " labels, " + entropies.length + " entropies");
    }
    ClassFit[] fits = new ClassFit[numClasses];
    for (int c = 0; c < numClasses; c++) {
      int[] members = membersOf(labels, c);
      if (members.length >= MIN_CLASS_SAMPLES) {
        fits[c] = fitClass(features, width, members);
        statistic[c] = fits[c].statistic;
      }
    }
    float[][] directions = new float[numClasses][];
    double[] cuts = new double[numClasses];
    Arrays.fill(cuts, Double.NaN);
    for (int c = 0; c < numClasses; c++) {
      if (fits[c] == null) {
        continue;
      }
      z[c] = robustZ(statistic, c);
      if (z[c] >= settings.minZ()) {
        Cut cut = cut(fits[c], features, width, membersOf(labels, c), entropies);
        if (cut != null) {
          directions[c] = cut.direction;
          cuts[c] = cut.threshold;
        }
      }
    }
    return new Fit(new FeatureTest(id, width, directions, cuts), statistic, z);
  }

  /** A class projected: its mean, the map from features to the tested 1-D score, and its statistic. */
  private record ClassFit(double[] mean, double[][] basis, double[] direction, double offset, double statistic) {}

  private record Cut(float[] direction, double threshold) {}

  private ClassFit fitClass(float[] features, int width, int[] members) {
    int n = members.length;
    double[] mean = new double[width];
    for (int i : members) {
      for (int k = 0; k < width; k++) {
        mean[k] += features[i * width + k];
      }
    }
    for (int k = 0; k < width; k++) {
      mean[k] /= n;
    }
    double[][] cov = new double[width][width];
    double[] row = new double[width];
    for (int i : members) {
      for (int k = 0; k < width; k++) {
        row[k] = features[i * width + k] - mean[k];
      }
      for (int a = 0; a < width; a++) {
        if (row[a] == 0) {
          continue;
        }
        for (int b = a; b < width; b++) {
          cov[a][b] += row[a] * row[b];
        }
      }
    }
    for (int a = 0; a < width; a++) {
      for (int b = a; b < width; b++) {
        cov[a][b] /= n;
        cov[b][a] = cov[a][b];
      }
    }
    double[][] basis = Linear.topEigenvectors(cov, Math.min(DIMENSIONS, width));
    int k = basis.length;
    double[][] y = new double[n][k];
    for (int j = 0; j < n; j++) {
      int i = members[j];
      for (int d = 0; d < k; d++) {
        double s = 0;
        for (int f = 0; f < width; f++) {
          s += basis[d][f] * (features[i * width + f] - mean[f]);
        }
        y[j][d] = s;
      }
    }
    // Both tests end in a direction u and offset o in the projected space: the score is u·y - o.
    return this == SPECTRAL ? spectral(mean, basis, y) : clustering(mean, basis, y);
  }

  private static ClassFit spectral(double[] mean, double[][] basis, double[][] y) {
    int n = y.length;
    int k = basis.length;
    int h = Math.max(k + 2, (int) Math.ceil(CORE_SHARE * n));
    // Concentration steps: start from the h samples nearest the coordinate-wise median, then
    // repeatedly keep the h samples nearest (Mahalanobis) to the mean and covariance of the last h.
    double[] median = new double[k];
    for (int d = 0; d < k; d++) {
      double[] col = new double[n];
      for (int j = 0; j < n; j++) {
        col[j] = y[j][d];
      }
      median[d] = Linear.median(col);
    }
    double[] dist = new double[n];
    for (int j = 0; j < n; j++) {
      dist[j] = Linear.squaredDistance(y[j], median);
    }
    int[] core = Linear.smallest(dist, h);
    double[] mu = null;
    double[][] whitening = null;
    for (int step = 0; step < 10; step++) {
      mu = Linear.mean(y, core);
      double[][] sigma = Linear.covariance(y, core, mu);
      whitening = Linear.inverseSquareRoot(sigma);
      for (int j = 0; j < n; j++) {
        double[] w = Linear.apply(whitening, Linear.minus(y[j], mu));
        dist[j] = Linear.dot(w, w);
      }
      int[] next = Linear.smallest(dist, h);
      if (Arrays.equals(Linear.sorted(next), Linear.sorted(core))) {
        break;
      }
      core = next;
    }
    double[][] z = new double[n][];
    for (int j = 0; j < n; j++) {
      z[j] = Linear.apply(whitening, Linear.minus(y[j], mu));
    }
    int[] all = new int[n];
    Arrays.setAll(all, j -> j);
    double[] zMean = new double[k];
    double[][] zCov = Linear.covariance(z, all, zMean);
    double[][] top = Linear.topEigenvectors(zCov, 1);
    double[] u = top[0];
    double lambda = Linear.dot(u, Linear.apply(zCov, u));
    // score = u·W(y - mu) = (W u)·y - (W u)·mu, W symmetric.
    double[] direction = Linear.apply(whitening, u);
    return new ClassFit(mean, basis, direction, Linear.dot(direction, mu), Math.log(Math.max(lambda, 1e-12)));
  }

  private static ClassFit clustering(double[] mean, double[][] basis, double[][] y) {
    int n = y.length;
    int k = basis.length;
    // Whiten the projection first (by the whole class's covariance), so that the statistic does
    // not grow with how elongated a clean class happens to be.
    int[] all = new int[n];
    Arrays.setAll(all, j -> j);
    double[] centreOfAll = Linear.mean(y, all);
    double[][] whitening = Linear.inverseSquareRoot(Linear.covariance(y, all, centreOfAll));
    double[][] z = new double[n][];
    for (int j = 0; j < n; j++) {
      z[j] = Linear.apply(whitening, Linear.minus(y[j], centreOfAll));
    }
    int[] assign = new int[n];
    double[] first = Linear.topEigenvectors(Linear.covariance(z, all, new double[k]), 1)[0];
    for (int j = 0; j < n; j++) {
      assign[j] = Linear.dot(z[j], first) >= 0 ? 1 : 0;
    }
    double[][] centre = new double[2][k];
    for (int iteration = 0; iteration < 100; iteration++) {
      int[] size = new int[2];
      centre = new double[2][k];
      for (int j = 0; j < n; j++) {
        size[assign[j]]++;
        for (int d = 0; d < k; d++) {
          centre[assign[j]][d] += z[j][d];
        }
      }
      if (size[0] == 0 || size[1] == 0) {
        break;
      }
      for (int g = 0; g < 2; g++) {
        for (int d = 0; d < k; d++) {
          centre[g][d] /= size[g];
        }
      }
      boolean moved = false;
      for (int j = 0; j < n; j++) {
        int g = Linear.squaredDistance(z[j], centre[1]) < Linear.squaredDistance(z[j], centre[0]) ? 1 : 0;
        moved |= g != assign[j];
        assign[j] = g;
      }
      if (!moved) {
        break;
      }
    }
    // The statistic: Fisher's ratio of the two clusters along the line through their centres. For
    // one Gaussian cut in half it is about 7 whatever the dimension; two clusters push it up.
    double[] between = Linear.minus(centre[1], centre[0]);
    double length = Math.sqrt(Linear.dot(between, between));
    double within = 0;
    for (int j = 0; j < n; j++) {
      double t = Linear.dot(Linear.minus(z[j], centre[assign[j]]), between) / Math.max(length, 1e-12);
      within += t * t;
    }
    double fisher = length * length / Math.max(within / n, 1e-12);
    // Nearer to centre 1 than to centre 0: (c1 - c0)·z >= (|c1|² - |c0|²) / 2, with z = W(y - m):
    // (W (c1 - c0))·y >= (|c1|² - |c0|²) / 2 + (W (c1 - c0))·m, W symmetric.
    double[] direction = Linear.apply(whitening, between);
    double offset = (Linear.dot(centre[1], centre[1]) - Linear.dot(centre[0], centre[0])) / 2
        + Linear.dot(direction, centreOfAll);
    return new ClassFit(mean, basis, direction, offset, Math.log(Math.max(fisher, 1e-12)));
  }

  /**
   * The cut along a flagged class's direction: a two-component mixture on its scores; the
   * component with the lower median entropy is the suspect one, and the cut is where its posterior
   * reaches 1/2. Returned in feature space, oriented so that suspect means {@code w·f >= t}.
   */
  private static Cut cut(ClassFit fit, float[] features, int width, int[] members, double[] entropies) {
    int n = members.length;
    double[] s = new double[n];
    for (int j = 0; j < n; j++) {
      s[j] = project(fit, features, members[j] * width, width);
    }
    TwoGaussianMixture mixture = TwoGaussianMixture.fit(s);
    double point = mixture.boundary();
    if (Double.isNaN(point)) {
      return null;
    }
    List<Double> low = new ArrayList<>();
    List<Double> high = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      (s[j] <= point ? low : high).add(Math.log(entropies[members[j]] + 1e-12));
    }
    if (low.isEmpty() || high.isEmpty()) {
      return null;
    }
    boolean suspectHigh = Linear.median(high.stream().mapToDouble(Double::doubleValue).toArray())
        < Linear.median(low.stream().mapToDouble(Double::doubleValue).toArray());
    // score s = g·f - c, with g = basis^T u and c = g·mean + offset.
    double[] g = new double[width];
    for (int d = 0; d < fit.basis.length; d++) {
      for (int f = 0; f < width; f++) {
        g[f] += fit.direction[d] * fit.basis[d][f];
      }
    }
    double c = Linear.dot(g, fit.mean) + fit.offset;
    double sign = suspectHigh ? 1 : -1;
    float[] w = new float[width];
    for (int f = 0; f < width; f++) {
      w[f] = (float) (sign * g[f]);
    }
    double t = sign * (point + c);
    return new Cut(w, t);
  }

  private static double project(ClassFit fit, float[] features, int offset, int width) {
    double s = 0;
    for (int d = 0; d < fit.basis.length; d++) {
      double y = 0;
      for (int f = 0; f < width; f++) {
        y += fit.basis[d][f] * (features[offset + f] - fit.mean[f]);
      }
      s += fit.direction[d] * y;
    }
    return s - fit.offset;
  }

  /** {@code (x[c] - median of the others) / (1.4826 · MAD of the others)}; NaN-valued classes are left out. */
  static double robustZ(double[] x, int c) {
    double[] others = new double[x.length];
    int m = 0;
    for (int i = 0; i < x.length; i++) {
      if (i != c && !Double.isNaN(x[i])) {
        others[m++] = x[i];
      }
    }
    if (m < 3) {
      return Double.NaN;
    }
    others = Arrays.copyOf(others, m);
    double median = Linear.median(others);
    double[] dev = new double[m];
    for (int i = 0; i < m; i++) {
      dev[i] = Math.abs(others[i] - median);
    }
    double mad = 1.4826 * Linear.median(dev);
    return (x[c] - median) / Math.max(mad, MIN_SCALE);
  }

  private static int[] membersOf(int[] labels, int c) {
    return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == c).toArray();
  }
}

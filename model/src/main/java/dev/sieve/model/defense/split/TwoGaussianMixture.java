package dev.sieve.model.defense.split;

import java.util.Arrays;

/**
 * A two-component 1-D Gaussian mixture fitted by EM: the "low" component (smaller mean) and the
 * "high" one. Sieve fits it to log-entropies, where poisoned samples, learned fast through their
 * trigger, form a cluster far below the clean ones.
 *
 * <p>EM starts from the 10th and 90th percentiles with the data's variance for both and equal
 * weights, floors the variances at 1e-6 of the data's variance (a cluster of identical values
 * must not collapse to a point), and stops when the log-likelihood gains less than 1e-8 per
 * sample or after 300 iterations.
 */
public record TwoGaussianMixture(double weightLow, double meanLow, double varLow,
    double weightHigh, double meanHigh, double varHigh) {

  private static final int MAX_ITERATIONS = 300;
  private static final double LOG_2PI = Math.log(2 * Math.PI);

  public static TwoGaussianMixture fit(double[] x) {
    int n = x.length;
    if (n < 2) {
      throw new IllegalArgumentException("a two-component mixture needs at least 2 values, got " + n);
    }
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    double mean = Arrays.stream(x).average().orElse(0);
    double var = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / n;
    if (var <= 0) {
      return new TwoGaussianMixture(0.5, mean, 0, 0.5, mean, 0);
    }
    double floor = 1e-6 * var;
    double[] mu = {sorted[(int) (0.1 * (n - 1))], sorted[(int) (0.9 * (n - 1))]};
    double[] s2 = {var, var};
    double[] w = {0.5, 0.5};
    double[] r0 = new double[n];
    double previous = Double.NEGATIVE_INFINITY;
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      // E-step in the log domain: tiny posteriors of far-away points must not underflow to 0/0.
      double logLikelihood = 0;
      for (int i = 0; i < n; i++) {
        double a = Math.log(w[0]) + logNormal(x[i], mu[0], s2[0]);
        double b = Math.log(w[1]) + logNormal(x[i], mu[1], s2[1]);
        double max = Math.max(a, b);
        double lse = max + Math.log(Math.exp(a - max) + Math.exp(b - max));
        r0[i] = Math.exp(a - lse);
        logLikelihood += lse;
      }
      double n0 = 0;
      double sum0 = 0;
      double sum1 = 0;
      for (int i = 0; i < n; i++) {
        n0 += r0[i];
        sum0 += r0[i] * x[i];
        sum1 += (1 - r0[i]) * x[i];
      }
      double n1 = n - n0;
      if (n0 < 1e-9 || n1 < 1e-9) {
        break;
      }
      mu[0] = sum0 / n0;
      mu[1] = sum1 / n1;
      double v0 = 0;
      double v1 = 0;
      for (int i = 0; i < n; i++) {
        v0 += r0[i] * (x[i] - mu[0]) * (x[i] - mu[0]);
        v1 += (1 - r0[i]) * (x[i] - mu[1]) * (x[i] - mu[1]);
      }
      s2[0] = Math.max(v0 / n0, floor);
      s2[1] = Math.max(v1 / n1, floor);
      w[0] = n0 / n;
      w[1] = n1 / n;
      if (logLikelihood - previous < 1e-8 * n) {
        break;
      }
      previous = logLikelihood;
    }
    int low = mu[0] <= mu[1] ? 0 : 1;
    int high = 1 - low;
    return new TwoGaussianMixture(w[low], mu[low], s2[low], w[high], mu[high], s2[high]);
  }

  /**
   * Ashman's D, {@code sqrt(2) |mu_high - mu_low| / sqrt(var_low + var_high)}: how far apart the
   * two components are in units of their spread. Above about 2 the mixture is clearly bimodal.
   */
  public double separation() {
    double spread = Math.sqrt(varLow + varHigh);
    return spread == 0 ? 0 : Math.sqrt(2) * Math.abs(meanHigh - meanLow) / spread;
  }

  /** Log-odds of the low component against the high one at {@code x}. */
  double lowLogOdds(double x) {
    return Math.log(weightLow) + logNormal(x, meanLow, varLow) - Math.log(weightHigh) - logNormal(x, meanHigh, varHigh);
  }

  /** {@link #boundary(double)} at posterior 0.5: where the low component stops being the more probable one. */
  public double boundary() {
    return boundary(0.5);
  }

  /**
   * The point between the two means where the low component's posterior falls to
   * {@code lowPosterior}. Everything at or below it is called low: the rule stays monotone, so a
   * sample even further down the tail than the low cluster (more certain still) is never called
   * high. Returns NaN when the posterior never reaches that level between the means.
   */
  public double boundary(double lowPosterior) {
    if (!(lowPosterior > 0 && lowPosterior < 1)) {
      throw new IllegalArgumentException("posterior must be in (0,1), got " + lowPosterior);
    }
    double level = Math.log(lowPosterior / (1 - lowPosterior));
    if (!(meanHigh > meanLow) || varLow <= 0 || varHigh <= 0) {
      return Double.NaN;
    }
    double a = meanLow;
    double b = meanHigh;
    if (lowLogOdds(a) <= level) {
      return Double.NaN;
    }
    if (lowLogOdds(b) > level) {
      return b;
    }
    for (int i = 0; i < 100; i++) {
      double m = 0.5 * (a + b);
      if (lowLogOdds(m) > level) {
        a = m;
      } else {
        b = m;
      }
    }
    return 0.5 * (a + b);
  }

  private static double logNormal(double x, double mean, double var) {
    return -0.5 * (LOG_2PI + Math.log(var) + (x - mean) * (x - mean) / var);
  }
}

package dev.sieve.model.defense.split;

import java.util.Arrays;

/** The little dense linear algebra the in-class tests need: small symmetric matrices, no library. */
final class Linear {

  private Linear() {}

  /**
   * The top {@code k} eigenvectors (unit rows) of a symmetric positive semi-definite matrix, by
   * power iteration with deflation; stops early at an eigenvalue below 1e-9 of the trace (the
   * rank is smaller than {@code k}).
   */
  static double[][] topEigenvectors(double[][] a, int k) {
    int n = a.length;
    double[][] m = new double[n][];
    double trace = 0;
    for (int i = 0; i < n; i++) {
      m[i] = a[i].clone();
      trace += a[i][i];
    }
    double[][] out = new double[k][];
    int found = 0;
    for (int e = 0; e < k; e++) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = 1.0 / Math.sqrt(n) * (1 + 0.01 * ((i * 7919 + e * 104729) % 13));
      }
      double lambda = 0;
      for (int iteration = 0; iteration < 500; iteration++) {
        double[] next = apply(m, v);
        double norm = Math.sqrt(dot(next, next));
        if (norm == 0) {
          break;
        }
        for (int i = 0; i < n; i++) {
          next[i] /= norm;
        }
        double change = 0;
        for (int i = 0; i < n; i++) {
          change = Math.max(change, Math.abs(next[i] - v[i]));
        }
        v = next;
        lambda = norm;
        if (change < 1e-10) {
          break;
        }
      }
      if (!(lambda > 1e-9 * Math.max(trace, 1e-300))) {
        break;
      }
      out[found++] = v;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          m[i][j] -= lambda * v[i] * v[j];
        }
      }
    }
    if (found == 0) {
      double[] unit = new double[n];
      unit[0] = 1;
      return new double[][] {unit};
    }
    return Arrays.copyOf(out, found);
  }

  /** {@code Σ^{-1/2}} of a symmetric positive semi-definite matrix, eigenvalues floored at 1e-9 of the largest. */
  static double[][] inverseSquareRoot(double[][] sigma) {
    int n = sigma.length;
    double[][] vectors = topEigenvectors(sigma, n);
    double largest = dot(vectors[0], apply(sigma, vectors[0]));
    double[][] out = new double[n][n];
    for (double[] v : vectors) {
      double lambda = Math.max(dot(v, apply(sigma, v)), 1e-9 * Math.max(largest, 1e-300));
      double f = 1 / Math.sqrt(lambda);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          out[i][j] += f * v[i] * v[j];
        }
      }
    }
    return out;
  }

  static double[] apply(double[][] m, double[] v) {
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = dot(m[i], v);
    }
    return out;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double[] minus(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] - b[i];
    }
    return out;
  }

  static double squaredDistance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  static double[] mean(double[][] rows, int[] which) {
    double[] out = new double[rows[0].length];
    for (int j : which) {
      for (int d = 0; d < out.length; d++) {
        out[d] += rows[j][d];
      }
    }
    for (int d = 0; d < out.length; d++) {
      out[d] /= which.length;
    }
    return out;
  }

  static double[][] covariance(double[][] rows, int[] which, double[] mean) {
    int k = mean.length;
    double[][] out = new double[k][k];
    for (int j : which) {
      for (int a = 0; a < k; a++) {
        double da = rows[j][a] - mean[a];
        for (int b = a; b < k; b++) {
          out[a][b] += da * (rows[j][b] - mean[b]);
        }
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = a; b < k; b++) {
        out[a][b] /= which.length;
        out[b][a] = out[a][b];
      }
    }
    return out;
  }

  static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  /** Indices of the {@code h} smallest values. */
  static int[] smallest(double[] x, int h) {
    Integer[] order = new Integer[x.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
    int[] out = new int[Math.min(h, x.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = order[i];
    }
    return out;
  }

  static int[] sorted(int[] x) {
    int[] s = x.clone();
    Arrays.sort(s);
    return s;
  }
}

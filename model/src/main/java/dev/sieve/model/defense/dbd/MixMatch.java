package dev.sieve.model.defense.dbd;

import java.util.Random;

/**
 * The arithmetic of MixMatch (Berthelot et al., NeurIPS 2019), DBD's stage-3 semi-supervised
 * learner: label guessing, sharpening, MixUp and the ramp of the unlabelled weight. Pure Java on
 * row-major float arrays, so each piece can be checked by hand; {@link MixMatchTrainer} runs them.
 */
public final class MixMatch {

  private MixMatch() {}

  /** Row-wise mean of K probability arrays of equal length: the guessed label before sharpening. */
  public static float[] mean(float[][] views) {
    if (views.length == 0) {
      throw new IllegalArgumentException("label guessing needs at least one view, got none");
    }
    float[] out = new float[views[0].length];
    for (float[] view : views) {
      if (view.length != out.length) {
        throw new IllegalArgumentException("views have " + view.length + " and " + out.length
            + " values, expected equal lengths");
      }
      for (int i = 0; i < out.length; i++) {
        out[i] += view[i] / views.length;
      }
    }
    return out;
  }

  /**
   * Sharpening: each row {@code p} becomes {@code p^(1/T) / Σ p^(1/T)}. With {@code T < 1} this
   * lowers the entropy of the guess, which makes the network's predictions on unlabelled data
   * confident (entropy minimisation). Computed in log space so small probabilities do not underflow.
   */
  public static float[] sharpen(float[] probabilities, int classes, double temperature) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("sharpening temperature is " + temperature + ", expected > 0");
    }
    if (classes < 1 || probabilities.length % classes != 0) {
      throw new IllegalArgumentException("probabilities hold " + probabilities.length + " values, expected a"
          + " multiple of " + classes + " classes");
    }
    float[] out = new float[probabilities.length];
    for (int row = 0; row < probabilities.length / classes; row++) {
      int base = row * classes;
      double max = Double.NEGATIVE_INFINITY;
      double[] logs = new double[classes];
      for (int k = 0; k < classes; k++) {
        logs[k] = Math.log(Math.max(probabilities[base + k], 0)) / temperature;
        max = Math.max(max, logs[k]);
      }
      if (max == Double.NEGATIVE_INFINITY) {
        throw new IllegalArgumentException("row " + row + " of the probabilities is all zero, expected a distribution");
      }
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        logs[k] = Math.exp(logs[k] - max);
        sum += logs[k];
      }
      for (int k = 0; k < classes; k++) {
        out[base + k] = (float) (logs[k] / sum);
      }
    }
    return out;
  }

  /**
   * MixMatch's MixUp weight: {@code l ~ Beta(α, α)}, then {@code max(l, 1 − l)}, so each mixed
   * row stays closer to its own input than to its partner; that keeps a labelled row mostly
   * labelled and an unlabelled row mostly unlabelled, which the two losses rely on.
   */
  public static double mixupWeight(Random random, double alpha) {
    double l = beta(random, alpha, alpha);
    return Math.max(l, 1 - l);
  }

  /**
   * MixUp of rows with a partner: {@code out_i = w·rows_i + (1 − w)·rows_partner[i]}.
   *
   * @param rows row-major, {@code partner.length} rows of {@code width} values
   */
  public static float[] mix(float[] rows, int width, int[] partner, double weight) {
    if (rows.length != partner.length * width) {
      throw new IllegalArgumentException("rows hold " + rows.length + " values, expected " + partner.length
          + " rows x " + width);
    }
    float[] out = new float[rows.length];
    float w = (float) weight;
    for (int i = 0; i < partner.length; i++) {
      int a = i * width;
      int b = partner[i] * width;
      for (int j = 0; j < width; j++) {
        out[a + j] = w * rows[a + j] + (1 - w) * rows[b + j];
      }
    }
    return out;
  }

  /**
   * The unlabelled weight at a step: {@code λ_u · clamp(step / totalSteps, 0, 1)}, MixMatch's
   * linear ramp-up over training, so guessed labels count little while they are still poor.
   */
  public static double rampedLambda(double lambdaU, long step, long totalSteps) {
    if (totalSteps <= 0) {
      return lambdaU;
    }
    return lambdaU * Math.min(1.0, Math.max(0.0, (double) step / totalSteps));
  }

  /** A Beta(a, b) sample as {@code X / (X + Y)} with {@code X ~ Gamma(a)}, {@code Y ~ Gamma(b)}. */
  public static double beta(Random random, double a, double b) {
    double x = gamma(random, a);
    double y = gamma(random, b);
    return x / (x + y);
  }

  /**
   * A Gamma(shape, 1) sample by Marsaglia and Tsang's method; for shape < 1 it draws Gamma(shape
   * + 1) and scales by {@code U^(1/shape)}.
   */
  static double gamma(Random random, double shape) {
    if (!(shape > 0) || Double.isInfinite(shape)) {
      throw new IllegalArgumentException("gamma shape is " + shape + ", expected a finite value > 0");
    }
    if (shape < 1) {
      double u = 1 - random.nextDouble(); // in (0, 1]: never log(0)
      return gamma(random, shape + 1) * Math.pow(u, 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = 1 - random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }
}

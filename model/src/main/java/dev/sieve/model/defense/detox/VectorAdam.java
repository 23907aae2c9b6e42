package dev.sieve.model.defense.detox;

/**
 * Adam (Kingma and Ba 2015, β₁ 0.9, β₂ 0.999) on a plain vector: the reversed trigger's mask and
 * pattern, and D3's final-layer weights, are optimised outside DJL's trainer. The trigger's
 * gradient comes from autograd; D3's is exact and cheap enough to compute by hand.
 */
final class VectorAdam {

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final double[] m;
  private final double[] v;
  private int t;

  VectorAdam(int size) {
    m = new double[size];
    v = new double[size];
  }

  /** One step on {@code theta}, in place. */
  void step(float[] theta, float[] gradient, double learningRate) {
    double[] update = update(gradient, learningRate);
    for (int i = 0; i < theta.length; i++) {
      theta[i] -= (float) update[i];
    }
  }

  /** One step on {@code theta}, in place. */
  void step(double[] theta, double[] gradient, double learningRate) {
    float[] g = new float[gradient.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) gradient[i];
    }
    double[] update = update(g, learningRate);
    for (int i = 0; i < theta.length; i++) {
      theta[i] -= update[i];
    }
  }

  private double[] update(float[] gradient, double learningRate) {
    if (gradient.length != m.length) {
      throw new IllegalArgumentException("gradient has " + gradient.length + " values, expected " + m.length);
    }
    t++;
    double c1 = 1 - Math.pow(BETA1, t);
    double c2 = 1 - Math.pow(BETA2, t);
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = BETA1 * m[i] + (1 - BETA1) * gradient[i];
      v[i] = BETA2 * v[i] + (1 - BETA2) * gradient[i] * gradient[i];
      out[i] = learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPSILON);
    }
    return out;
  }
}

package dev.sieve.model.defense.dbd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * SimCLR's NT-Xent loss (normalised temperature-scaled cross-entropy). For a batch of N images
 * with two views each, every one of the 2N embeddings is an anchor: its positive is the other
 * view of the same image and its 2N − 2 negatives are the views of every other image. With cosine
 * similarity {@code s} and temperature τ, the anchor's loss is
 * {@code −log( exp(s(a, pos)/τ) / Σ_{k ≠ a} exp(s(a, k)/τ) )}; the loss is the mean over the 2N
 * anchors.
 */
public final class NtXent {

  /** Stands in for −∞ on the diagonal: an anchor is never its own negative. */
  private static final float SELF_MASK = 1e9f;

  private NtXent() {}

  /**
   * @param view1 embeddings of the first views, {@code [N, d]}
   * @param view2 embeddings of the second views, {@code [N, d]}; row i is the positive of view1's row i
   * @param temperature τ > 0
   * @return the scalar mean loss, differentiable with respect to both views
   */
  public static NDArray loss(NDArray view1, NDArray view2, double temperature) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("NT-Xent temperature is " + temperature + ", expected > 0");
    }
    Shape shape = view1.getShape();
    if (shape.dimension() != 2 || !shape.equals(view2.getShape()) || shape.get(0) < 2) {
      throw new IllegalArgumentException("NT-Xent needs two views of shape [N >= 2, d], got " + shape
          + " and " + view2.getShape());
    }
    int n = (int) shape.get(0);
    NDArray z = NDArrays.concat(new NDList(view1, view2), 0).normalize(2, 1, 1e-12);
    NDArray similarity = z.matMul(z.transpose()).div((float) temperature);
    float[] self = new float[4 * n * n];
    float[] positive = new float[4 * n * n];
    for (int i = 0; i < 2 * n; i++) {
      self[i * 2 * n + i] = SELF_MASK;
      positive[i * 2 * n + (i + n) % (2 * n)] = 1f;
    }
    NDArray masked = similarity.sub(z.getManager().create(self, new Shape(2 * n, 2 * n)));
    NDArray logProbability = masked.logSoftmax(1);
    NDArray positives = z.getManager().create(positive, new Shape(2 * n, 2 * n));
    return logProbability.mul(positives).sum(new int[] {1}).neg().mean();
  }
}

package dev.sieve.model.defense.dbd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Symmetric cross-entropy (Wang et al., ICCV 2019), DBD's loss for the linear head:
 * {@code α·CE(y, p) + β·RCE} with {@code RCE = −Σ_k p_k · log(clamp(onehot_k, 1e-4, 1))} and
 * {@code p = clamp(softmax, 1e-7, 1)}. RCE equals {@code −log(1e-4) · (1 − p_y)}: it is bounded,
 * so a sample whose label the features contradict (a poisoned one) cannot pull the head as hard
 * as under plain cross-entropy, and keeps a high loss, which is what the split ranks.
 *
 * <p>Labels: one-hot rows {@code [n, C]}; predictions: logits {@code [n, C]}.
 */
public final class SymmetricCrossEntropy extends Loss {

  /** The clamp on the one-hot label inside the log: log(0) would be −∞. */
  static final float LABEL_FLOOR = 1e-4f;
  /** The clamp on the probabilities in RCE, as the SCE reference code has it. */
  static final float PROBABILITY_FLOOR = 1e-7f;

  private final double alpha;
  private final double beta;

  public SymmetricCrossEntropy(double alpha, double beta) {
    super("SymmetricCrossEntropy");
    if (!(alpha >= 0) || !(beta >= 0) || Double.isInfinite(alpha) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException("SCE weights are alpha " + alpha + " and beta " + beta
          + ", expected finite values >= 0");
    }
    this.alpha = alpha;
    this.beta = beta;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return perSample(predictions.singletonOrThrow(), labels.singletonOrThrow()).mean();
  }

  /** The loss of every row, {@code [n]}. */
  public NDArray perSample(NDArray logits, NDArray oneHot) {
    NDArray ce = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg();
    NDArray p = logits.softmax(1).clip(PROBABILITY_FLOOR, 1f);
    NDArray logLabel = oneHot.clip(LABEL_FLOOR, 1f).log();
    NDArray rce = p.mul(logLabel).sum(new int[] {1}).neg();
    return ce.mul((float) alpha).add(rce.mul((float) beta));
  }
}

package dev.sieve.model.training.beneficiary;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Cross-entropy against soft targets: {@code mean_i −Σ_c t_ic · log_softmax(z)_ic}. DJL's
 * built-in losses take sparse or one-hot labels with a fixed sum; the Beneficiary's targets are
 * mixed (AttentionMix) and suppressed (rows may sum to less than 1), so it needs this one.
 * Labels: the targets {@code [n, C]}; predictions: the logits {@code [n, C]}.
 */
public final class SoftTargetCrossEntropy extends Loss {

  public SoftTargetCrossEntropy() {
    super("SoftTargetCrossEntropy");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray targets = labels.singletonOrThrow();
    NDArray logits = predictions.singletonOrThrow();
    return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg().mean();
  }
}

package dev.sieve.model.beneficiary;

/**
 * The knobs of the Beneficiary's training recipe (V&B's AttentionMix plus Victim suppression).
 *
 * @param attentionMix mix each credible sample with a shuffled partner inside its attention mask;
 *     off means plain soft-target cross-entropy on the (possibly suppressed) labels
 * @param maskThreshold attention level, in the per-sample min-max normalised map, at or above which
 *     a pixel belongs to the mask (V&B: 0.1)
 * @param temperature softmax temperature of the Victim's logits in the suppressed targets (V&B: 3)
 * @param learningRate Adam learning rate
 * @param batchSize samples per optimizer step when a schedule cuts a list into batches
 * @param augment random 2-pixel shifted crop and horizontal flip of every training image
 */
public record RecipeSettings(boolean attentionMix, double maskThreshold, double temperature, float learningRate,
    int batchSize, boolean augment) {

  public RecipeSettings {
    if (!(maskThreshold >= 0 && maskThreshold <= 1)) {
      throw new IllegalArgumentException("maskThreshold is " + maskThreshold
          + ", expected a level in [0, 1] of the min-max normalised attention map");
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature is " + temperature + ", expected a finite value > 0");
    }
    if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate is " + learningRate + ", expected a finite value > 0");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize is " + batchSize + ", expected at least 1");
    }
  }

  /** V&B's values, with Adam at 1e-3 instead of its SGD 0.1 (the same optimizer as the Victim here). */
  public static RecipeSettings defaults() {
    return new RecipeSettings(true, 0.1, 3.0, 1e-3f, 128, true);
  }

  public RecipeSettings withAttentionMix(boolean v) {
    return new RecipeSettings(v, maskThreshold, temperature, learningRate, batchSize, augment);
  }

  public RecipeSettings withMaskThreshold(double v) {
    return new RecipeSettings(attentionMix, v, temperature, learningRate, batchSize, augment);
  }

  public RecipeSettings withTemperature(double v) {
    return new RecipeSettings(attentionMix, maskThreshold, v, learningRate, batchSize, augment);
  }

  public RecipeSettings withLearningRate(float v) {
    return new RecipeSettings(attentionMix, maskThreshold, temperature, v, batchSize, augment);
  }

  public RecipeSettings withBatchSize(int v) {
    return new RecipeSettings(attentionMix, maskThreshold, temperature, learningRate, v, augment);
  }

  public RecipeSettings withAugment(boolean v) {
    return new RecipeSettings(attentionMix, maskThreshold, temperature, learningRate, batchSize, v);
  }
}

package dev.sieve.model.defense.detox;

/**
 * The knobs of the three detox methods. Defaults follow the reference settings where they carry
 * over to a small CNN on 28x28 images; each says where it comes from.
 *
 * @param maxAccuracyDrop pruning stops before the holdout clean accuracy falls more than this
 *     (absolute) below the unpruned model's: BackdoorBench's Fine-Pruning bound of 10 %
 * @param fineTuneEpochs Fine-Pruning's fine-tuning epochs over the tune part of the clean set
 * @param fineTuneLearningRate Adam learning rate of that fine-tuning, low so that 5 % of the data
 *     repairs the pruned network without overwriting it
 * @param batchSize mini-batch size of the fine-tuning and of D3
 * @param reverseSteps Adam steps of the trigger reverse-engineering, per candidate target class
 * @param reverseLearningRate Adam learning rate of the mask and pattern logits
 * @param reverseMaskWeight weight of the mask's L1 norm (in pixels) against the cross-entropy:
 *     Neural Cleanse's trade-off between a small trigger and a successful one
 * @param linfStopSuccess ℓ∞ pruning stops once the reversed trigger succeeds on at most this share
 *     of the holdout
 * @param d3Lambda D3's λ, weight of the clean-loss constraint (reference 0.5; 2 here, see defaults())
 * @param d3Epsilon D3's ε, the clean cross-entropy tolerated for free (reference 0.1)
 * @param d3Epochs D3's epochs over the tune set (reference 100)
 * @param d3LearningRate D3's learning rate (reference 0.01)
 */
public record DetoxSettings(double maxAccuracyDrop, int fineTuneEpochs, double fineTuneLearningRate, int batchSize,
    int reverseSteps, double reverseLearningRate, double reverseMaskWeight, double linfStopSuccess,
    double d3Lambda, double d3Epsilon, int d3Epochs, double d3LearningRate) {

  public DetoxSettings {
    requireIn("maxAccuracyDrop", maxAccuracyDrop, 0, 1);
    requireIn("linfStopSuccess", linfStopSuccess, 0, 1);
    requireAtLeast("fineTuneEpochs", fineTuneEpochs, 0);
    requireAtLeast("batchSize", batchSize, 1);
    requireAtLeast("reverseSteps", reverseSteps, 1);
    requireAtLeast("d3Epochs", d3Epochs, 1);
    requirePositive("fineTuneLearningRate", fineTuneLearningRate);
    requirePositive("reverseLearningRate", reverseLearningRate);
    requirePositive("reverseMaskWeight", reverseMaskWeight);
    requirePositive("d3Lambda", d3Lambda);
    requirePositive("d3LearningRate", d3LearningRate);
    if (!(d3Epsilon >= 0) || Double.isInfinite(d3Epsilon)) {
      throw new IllegalArgumentException("d3Epsilon is " + d3Epsilon + ", expected a finite value >= 0");
    }
  }

  public static DetoxSettings defaults() {
    // Fine-tuning and D3's λ were set on a 10k-sample BadNets model with 500 clean samples (see
    // docs/defenses.md): 10 epochs at 5e-4 left ASR 0.81, 20 at 2e-3 0.32 at the same CA; the
    // reference λ 0.5 left CA at 0.69 (ASR 0.00), λ 2 gave CA 0.80 and ASR 0.08, and larger λ kept
    // more of the backdoor (λ 10: ASR 0.51).
    return new DetoxSettings(0.10, 20, 2e-3, 64, 150, 0.1, 0.01, 0.05, 2.0, 0.1, 100, 0.01);
  }

  public DetoxSettings withMaxAccuracyDrop(double value) {
    return toBuilder().maxAccuracyDrop(value).build();
  }

  public DetoxSettings withFineTuneEpochs(int value) {
    return toBuilder().fineTuneEpochs(value).build();
  }

  public DetoxSettings withReverseSteps(int value) {
    return toBuilder().reverseSteps(value).build();
  }

  public DetoxSettings withD3Epochs(int value) {
    return toBuilder().d3Epochs(value).build();
  }

  private static void requireIn(String name, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(name + " is " + value + ", expected in [" + min + ", " + max + "]");
    }
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " is " + value + ", expected >= " + min);
    }
  }

  private static void requirePositive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " is " + value + ", expected a finite value > 0");
    }
  }

  /** A builder holding this record's values, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAccuracyDrop = maxAccuracyDrop;
    b.fineTuneEpochs = fineTuneEpochs;
    b.fineTuneLearningRate = fineTuneLearningRate;
    b.batchSize = batchSize;
    b.reverseSteps = reverseSteps;
    b.reverseLearningRate = reverseLearningRate;
    b.reverseMaskWeight = reverseMaskWeight;
    b.linfStopSuccess = linfStopSuccess;
    b.d3Lambda = d3Lambda;
    b.d3Epsilon = d3Epsilon;
    b.d3Epochs = d3Epochs;
    b.d3LearningRate = d3LearningRate;
    return b;
  }

  /** Every field of a {@link DetoxSettings}; {@link #build} checks them as the constructor does. */
  public static final class Builder {
    private double maxAccuracyDrop;
    private int fineTuneEpochs;
    private double fineTuneLearningRate;
    private int batchSize;
    private int reverseSteps;
    private double reverseLearningRate;
    private double reverseMaskWeight;
    private double linfStopSuccess;
    private double d3Lambda;
    private double d3Epsilon;
    private int d3Epochs;
    private double d3LearningRate;

    private Builder() {}

    public Builder maxAccuracyDrop(double value) {
      this.maxAccuracyDrop = value;
      return this;
    }

    public Builder fineTuneEpochs(int value) {
      this.fineTuneEpochs = value;
      return this;
    }

    public Builder fineTuneLearningRate(double value) {
      this.fineTuneLearningRate = value;
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    public Builder reverseSteps(int value) {
      this.reverseSteps = value;
      return this;
    }

    public Builder reverseLearningRate(double value) {
      this.reverseLearningRate = value;
      return this;
    }

    public Builder reverseMaskWeight(double value) {
      this.reverseMaskWeight = value;
      return this;
    }

    public Builder linfStopSuccess(double value) {
      this.linfStopSuccess = value;
      return this;
    }

    public Builder d3Lambda(double value) {
      this.d3Lambda = value;
      return this;
    }

    public Builder d3Epsilon(double value) {
      this.d3Epsilon = value;
      return this;
    }

    public Builder d3Epochs(int value) {
      this.d3Epochs = value;
      return this;
    }

    public Builder d3LearningRate(double value) {
      this.d3LearningRate = value;
      return this;
    }

    public DetoxSettings build() {
      return new DetoxSettings(maxAccuracyDrop, fineTuneEpochs, fineTuneLearningRate, batchSize, reverseSteps,
          reverseLearningRate, reverseMaskWeight, linfStopSuccess, d3Lambda, d3Epsilon,
          d3Epochs, d3LearningRate);
    }
  }
}

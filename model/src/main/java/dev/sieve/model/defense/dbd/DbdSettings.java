package dev.sieve.model.defense.dbd;

/**
 * The settings of one DBD run (Huang et al., ICLR 2022, "Backdoor Defense via Decoupling the
 * Training Process"). The defaults are scaled for 28x28 grayscale images on two CPU cores; each
 * field's comment says what the paper and its reference code (SCLBD/DBD) used on CIFAR-10.
 *
 * @param simclrEpochs stage 1, self-supervised SimCLR epochs over all samples. Paper: 100
 * @param simclrBatch samples per SimCLR batch (each gives two views). Paper: 512
 * @param temperature NT-Xent temperature. Paper: 0.5
 * @param simclrLearningRate peak Adam learning rate of stage 1, reached after a short warm-up and
 *     then decayed along a cosine. Paper: SGD lr 0.4 with a cosine schedule, for a ResNet with
 *     batch norm; this CNN has none, and Adam 1e-3 with the warm-up trains it stably
 * @param projectionDim output width of SimCLR's projection head (Linear-BatchNorm-ReLU-Linear), which is
 *     thrown away after stage 1. Paper: 128 on a 512-wide ResNet-18 backbone
 * @param linearEpochs stage 2, epochs of the linear head on the frozen backbone. Paper: 10. The
 *     backbone features are computed once, so these epochs cost next to nothing
 * @param linearLearningRate Adam learning rate of stage 2. Ours: the reference tunes its own
 * @param sceAlpha weight of cross-entropy in the symmetric cross-entropy of stage 2. Paper: 0.1
 * @param sceBeta weight of reverse cross-entropy in stage 2. Paper: 1.0
 * @param labelledRatio share of samples, those with the lowest stage-2 loss, that keep their
 *     labels ("high-credible"); the rest are unlabelled in stage 3. Paper: 0.5
 * @param mixmatchEpochs stage 3, MixMatch epochs on the whole network; an epoch is one pass over
 *     the labelled set. Paper: 190 epochs of 1024 iterations
 * @param lambdaU weight of MixMatch's unlabelled loss, ramped linearly from 0 over all stage-3
 *     steps, as MixMatch does. Paper: 15
 * @param sharpenTemperature MixMatch's sharpening temperature T. Paper: 0.5
 * @param mixupAlpha MixUp's Beta(α, α) parameter. Paper: 0.75
 * @param augmentations K, augmented views of each unlabelled sample whose softmax is averaged to
 *     guess its label. Paper: 2
 * @param mixmatchLearningRate Adam learning rate of stage 3. Paper: 0.002
 * @param batchSize labelled (and unlabelled) samples per batch in stages 2 and 3. Paper: 64 in
 *     stage 3; 128 suits 2 CPU cores and 28x28 images
 */
public record DbdSettings(
    int simclrEpochs,
    int simclrBatch,
    double temperature,
    double simclrLearningRate,
    int projectionDim,
    int linearEpochs,
    double linearLearningRate,
    double sceAlpha,
    double sceBeta,
    double labelledRatio,
    int mixmatchEpochs,
    double lambdaU,
    double sharpenTemperature,
    double mixupAlpha,
    int augmentations,
    double mixmatchLearningRate,
    int batchSize) {

  public DbdSettings {
    atLeast("simclrEpochs", simclrEpochs, 0);
    atLeast("simclrBatch", simclrBatch, 2); // NT-Xent needs a negative: at least two images
    positive("temperature", temperature);
    positive("simclrLearningRate", simclrLearningRate);
    atLeast("projectionDim", projectionDim, 1);
    atLeast("linearEpochs", linearEpochs, 1); // the split ranks the stage-2 losses: the head must be trained
    positive("linearLearningRate", linearLearningRate);
    nonNegative("sceAlpha", sceAlpha);
    nonNegative("sceBeta", sceBeta);
    if (sceAlpha + sceBeta <= 0) {
      throw new IllegalArgumentException("DbdSettings.sceAlpha + sceBeta is " + (sceAlpha + sceBeta)
          + ", expected > 0: with both 0 the stage-2 loss is constant");
    }
    if (!(labelledRatio > 0 && labelledRatio <= 1)) {
      throw new IllegalArgumentException("DbdSettings.labelledRatio is " + labelledRatio
          + ", expected a share in (0, 1]");
    }
    atLeast("mixmatchEpochs", mixmatchEpochs, 0);
    nonNegative("lambdaU", lambdaU);
    positive("sharpenTemperature", sharpenTemperature);
    positive("mixupAlpha", mixupAlpha);
    atLeast("augmentations", augmentations, 1);
    positive("mixmatchLearningRate", mixmatchLearningRate);
    atLeast("batchSize", batchSize, 1);
  }

  /** The defaults described on each field. */
  public static DbdSettings defaults() {
    return new DbdSettings(10, 256, 0.5, 1e-3, 64, 10, 1e-2, 0.1, 1.0, 0.5, 5, 15, 0.5, 0.75, 2, 2e-3, 128);
  }

  public DbdSettings withSimclrEpochs(int epochs) {
    return toBuilder().simclrEpochs(epochs).build();
  }

  public DbdSettings withLinearEpochs(int epochs) {
    return toBuilder().linearEpochs(epochs).build();
  }

  public DbdSettings withMixmatchEpochs(int epochs) {
    return toBuilder().mixmatchEpochs(epochs).build();
  }

  public DbdSettings withLabelledRatio(double ratio) {
    return toBuilder().labelledRatio(ratio).build();
  }

  private static void atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException("DbdSettings." + field + " is " + value + ", expected >= " + min);
    }
  }

  private static void positive(String field, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("DbdSettings." + field + " is " + value + ", expected a finite value > 0");
    }
  }

  private static void nonNegative(String field, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("DbdSettings." + field + " is " + value + ", expected a finite value >= 0");
    }
  }

  /** A builder holding this record's values, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.simclrEpochs = simclrEpochs;
    b.simclrBatch = simclrBatch;
    b.temperature = temperature;
    b.simclrLearningRate = simclrLearningRate;
    b.projectionDim = projectionDim;
    b.linearEpochs = linearEpochs;
    b.linearLearningRate = linearLearningRate;
    b.sceAlpha = sceAlpha;
    b.sceBeta = sceBeta;
    b.labelledRatio = labelledRatio;
    b.mixmatchEpochs = mixmatchEpochs;
    b.lambdaU = lambdaU;
    b.sharpenTemperature = sharpenTemperature;
    b.mixupAlpha = mixupAlpha;
    b.augmentations = augmentations;
    b.mixmatchLearningRate = mixmatchLearningRate;
    b.batchSize = batchSize;
    return b;
  }

  /** Every field of a {@link DbdSettings}; {@link #build} checks them as the constructor does. */
  public static final class Builder {
    private int simclrEpochs;
    private int simclrBatch;
    private double temperature;
    private double simclrLearningRate;
    private int projectionDim;
    private int linearEpochs;
    private double linearLearningRate;
    private double sceAlpha;
    private double sceBeta;
    private double labelledRatio;
    private int mixmatchEpochs;
    private double lambdaU;
    private double sharpenTemperature;
    private double mixupAlpha;
    private int augmentations;
    private double mixmatchLearningRate;
    private int batchSize;

    private Builder() {}

    public Builder simclrEpochs(int value) {
      this.simclrEpochs = value;
      return this;
    }

    public Builder simclrBatch(int value) {
      this.simclrBatch = value;
      return this;
    }

    public Builder temperature(double value) {
      this.temperature = value;
      return this;
    }

    public Builder simclrLearningRate(double value) {
      this.simclrLearningRate = value;
      return this;
    }

    public Builder projectionDim(int value) {
      this.projectionDim = value;
      return this;
    }

    public Builder linearEpochs(int value) {
      this.linearEpochs = value;
      return this;
    }

    public Builder linearLearningRate(double value) {
      this.linearLearningRate = value;
      return this;
    }

    public Builder sceAlpha(double value) {
      this.sceAlpha = value;
      return this;
    }

    public Builder sceBeta(double value) {
      this.sceBeta = value;
      return this;
    }

    public Builder labelledRatio(double value) {
      this.labelledRatio = value;
      return this;
    }

    public Builder mixmatchEpochs(int value) {
      this.mixmatchEpochs = value;
      return this;
    }

    public Builder lambdaU(double value) {
      this.lambdaU = value;
      return this;
    }

    public Builder sharpenTemperature(double value) {
      this.sharpenTemperature = value;
      return this;
    }

    public Builder mixupAlpha(double value) {
      this.mixupAlpha = value;
      return this;
    }

    public Builder augmentations(int value) {
      this.augmentations = value;
      return this;
    }

    public Builder mixmatchLearningRate(double value) {
      this.mixmatchLearningRate = value;
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    public DbdSettings build() {
      return new DbdSettings(simclrEpochs, simclrBatch, temperature, simclrLearningRate, projectionDim,
          linearEpochs, linearLearningRate, sceAlpha, sceBeta, labelledRatio,
          mixmatchEpochs, lambdaU, sharpenTemperature, mixupAlpha, augmentations,
          mixmatchLearningRate, batchSize);
    }
  }
}

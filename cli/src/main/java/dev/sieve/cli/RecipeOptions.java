package dev.sieve.cli;

import dev.sieve.model.training.beneficiary.RecipeSettings;
import picocli.CommandLine.Option;

/** The Beneficiary recipe's knobs, shared by {@code train} and {@code eval} so both train the same way. */
final class RecipeOptions {

  @Option(names = "--no-attention-mix",
      description = "Train without AttentionMix (plain soft-target cross-entropy).")
  boolean noAttentionMix;

  @Option(names = "--mask-threshold", defaultValue = "0.5", paramLabel = "LEVEL",
      description = "AttentionMix mask: pixels whose normalised attention is at least this are mixed "
          + "(default: ${DEFAULT-VALUE}; V&B uses 0.1, see docs/evaluation.md).")
  double maskThreshold;

  @Option(names = "--augment",
      description = "Random 2-pixel shift and horizontal flip of every training image (off by default: it costs "
          + "3-6 points of clean accuracy on a few-epoch budget, see docs/evaluation.md).")
  boolean augment;

  @Option(names = "--suppress-credible",
      description = "Also suppress the credible labels by the Victim, as V&B does (off by default: Sieve's Victim is "
          + "confident on the clean samples of the poisoned class, and suppressing them erases that class).")
  boolean suppressCredible;

  @Option(names = "--occlude",
      description = "Occlusion augmentation of the credible samples, labels kept: half of them get a random "
          + "rectangle (2-10 px a side) of random content or a faint random noise blend (alpha 0.05-0.3), so a "
          + "disarmed trigger does not wreck the prediction (robust accuracy; see docs/evaluation.md).")
  boolean occlude;

  @Option(names = "--temperature", defaultValue = "3", paramLabel = "T",
      description = "Softmax temperature of the Victim's predictions in the suppressed targets (default: ${DEFAULT-VALUE}).")
  double temperature;

  RecipeSettings settings() {
    return RecipeSettings.defaults().withAttentionMix(!noAttentionMix).withMaskThreshold(maskThreshold)
        .withAugment(augment).withSuppressCredible(suppressCredible).withTemperature(temperature)
        .withOcclude(occlude);
  }
}

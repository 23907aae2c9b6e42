package dev.sieve.eval;

import dev.sieve.model.beneficiary.BeneficiarySchedule;
import dev.sieve.model.beneficiary.RecipeSettings;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * How the evaluation trains: the number of training samples per cell, the epochs of the plain
 * models (undefended, filter only, clean reference), the V&amp;B Beneficiary's plan, and the Victim
 * schedule, which is the streaming updater's own defaults unless told otherwise.
 */
public record EvalSettings(int samples, int baselineEpochs, BeneficiarySchedule.Plan plan, RecipeSettings recipe,
    VictimUpdaterConfig victim, String splitPolicy, Set<Defense> defenses, int batchSize, float learningRate) {

  public static final int DEFAULT_BASELINE_EPOCHS = 6;

  public EvalSettings {
    if (samples < 1 || baselineEpochs < 1) {
      throw new IllegalArgumentException("need samples >= 1 and baselineEpochs >= 1, got " + samples + " and "
          + baselineEpochs);
    }
    defenses = defenses.isEmpty() ? EnumSet.noneOf(Defense.class) : EnumSet.copyOf(defenses);
    // DER needs the undefended model of the same cell.
    defenses.add(Defense.NONE);
  }

  /** The full-size defaults: 60k samples and the stream's Victim schedule. */
  public static EvalSettings defaults() {
    // The Victim schedule needs topics and a checkpoint directory only when it publishes; offline it never does.
    VictimUpdaterConfig victim = VictimUpdaterConfig.defaults(TopicNames.defaults(), Path.of("unused"));
    return new EvalSettings(60_000, DEFAULT_BASELINE_EPOCHS, BeneficiarySchedule.Plan.defaults(),
        RecipeSettings.defaults(), victim, "class-mixture", EnumSet.allOf(Defense.class), 128, 1e-3f);
  }

  public EvalSettings withSamples(int value) {
    return new EvalSettings(value, baselineEpochs, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate);
  }

  public EvalSettings withBaselineEpochs(int value) {
    return new EvalSettings(samples, value, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate);
  }

  public EvalSettings withPlan(BeneficiarySchedule.Plan value) {
    return new EvalSettings(samples, baselineEpochs, value, recipe, victim, splitPolicy, defenses, batchSize, learningRate);
  }

  public EvalSettings withRecipe(RecipeSettings value) {
    return new EvalSettings(samples, baselineEpochs, plan, value, victim, splitPolicy, defenses, batchSize, learningRate);
  }

  public EvalSettings withVictim(VictimUpdaterConfig value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, value, splitPolicy, defenses, batchSize, learningRate);
  }

  public EvalSettings withSplitPolicy(String value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, value, defenses, batchSize, learningRate);
  }

  public EvalSettings withDefenses(Set<Defense> value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, splitPolicy, value, batchSize, learningRate);
  }
}

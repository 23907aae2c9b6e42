package dev.sieve.eval;

import dev.sieve.model.defense.dbd.DbdSettings;
import dev.sieve.model.defense.detox.DetoxSettings;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.model.training.beneficiary.Unlearning;
import java.util.EnumSet;
import java.util.Set;

/**
 * How the evaluation trains: the number of training samples per cell, the epochs of the plain
 * models (undefended, filter only, clean reference), the V&amp;B Beneficiary's plan, and the Victim
 * schedule, which is the streaming updater's own defaults unless told otherwise; DBD's stages; and the
 * detox methods' settings with the size of their clean set. A cell's samples are training images
 * {@code firstImage .. firstImage+samples-1}: tune on one range and report on another.
 */
public record EvalSettings(int samples, int baselineEpochs, BeneficiarySchedule.Plan plan, RecipeSettings recipe,
    VictimSchedule.Plan victim, String splitPolicy, Set<Defense> defenses, int batchSize, float learningRate,
    DbdSettings dbd, DetoxSettings detox, double detoxCleanShare, int firstImage, Unlearning unlearning) {

  /** The clean set a detox method gets, as a share of the cell's training samples (the 5 %). */
  public static final double DEFAULT_DETOX_CLEAN_SHARE = 0.05;

  public static final int DEFAULT_BASELINE_EPOCHS = 6;

  public EvalSettings {
    if (samples < 1 || baselineEpochs < 1) {
      throw new IllegalArgumentException("need samples >= 1 and baselineEpochs >= 1, got " + samples + " and "
          + baselineEpochs);
    }
    if (firstImage < 0) {
      throw new IllegalArgumentException("first image must be >= 0, got " + firstImage);
    }
    if (!(detoxCleanShare > 0 && detoxCleanShare < 1)) {
      throw new IllegalArgumentException("detox clean share is " + detoxCleanShare + ", expected in (0, 1)");
    }
    defenses = defenses.isEmpty() ? EnumSet.noneOf(Defense.class) : EnumSet.copyOf(defenses);
    // DER needs the undefended model of the same cell, and a detox row needs the model it detoxifies.
    defenses.add(Defense.NONE);
    for (Defense d : Set.copyOf(defenses)) {
      if (d.base() != null) {
        defenses.add(d.base());
      }
    }
  }

  /** The full-size defaults: 60k samples and the stream's Victim schedule. */
  public static EvalSettings defaults() {
    // The Victim schedule needs topics and a checkpoint directory only when it publishes; offline it never does.
    VictimSchedule.Plan victim = VictimSchedule.Plan.defaults();
    return new EvalSettings(60_000, DEFAULT_BASELINE_EPOCHS, BeneficiarySchedule.Plan.defaults(),
        RecipeSettings.defaults(), victim, "class-mixture", Defense.defaults(), 128, 1e-3f,
        DbdSettings.defaults(), DetoxSettings.defaults(), DEFAULT_DETOX_CLEAN_SHARE, 0,
        Unlearning.defaults());
  }

  public EvalSettings withSamples(int value) {
    return new EvalSettings(value, baselineEpochs, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate, dbd, detox,
        detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withBaselineEpochs(int value) {
    return new EvalSettings(samples, value, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate, dbd, detox,
        detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withPlan(BeneficiarySchedule.Plan value) {
    return new EvalSettings(samples, baselineEpochs, value, recipe, victim, splitPolicy, defenses, batchSize, learningRate, dbd, detox,
        detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withRecipe(RecipeSettings value) {
    return new EvalSettings(samples, baselineEpochs, plan, value, victim, splitPolicy, defenses, batchSize, learningRate, dbd, detox,
        detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withVictim(VictimSchedule.Plan value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, value, splitPolicy, defenses, batchSize, learningRate, dbd, detox,
        detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withSplitPolicy(String value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, value, defenses, batchSize, learningRate, dbd, detox,
        detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withDefenses(Set<Defense> value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, splitPolicy, value, batchSize, learningRate, dbd, detox,
        detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withDbd(DbdSettings value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate,
        value, detox, detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withDetox(DetoxSettings value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate,
        dbd, value, detoxCleanShare, firstImage, unlearning);
  }

  public EvalSettings withDetoxCleanShare(double value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate,
        dbd, detox, value, firstImage, unlearning);
  }

  /** Cells take training images from {@code value} on. */
  public EvalSettings withFirstImage(int value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate,
        dbd, detox, detoxCleanShare, value, unlearning);
  }

  /** The isolate-then-unlearn settings of the {@code vab-unlearn} row. */
  public EvalSettings withUnlearning(Unlearning value) {
    return new EvalSettings(samples, baselineEpochs, plan, recipe, victim, splitPolicy, defenses, batchSize, learningRate,
        dbd, detox, detoxCleanShare, firstImage, value);
  }
}

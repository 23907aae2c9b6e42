package dev.sieve.model.defense.split;

import dev.sieve.model.scoring.SplitRule;

/**
 * How the Victim updater splits its window. Two questions, answered separately because they have
 * different costs of error: which samples the Victim retrains on next (the suspicious set, where
 * high recall matters and impurity is tolerable), and which samples the published version
 * quarantines (the detection, where every false positive costs the Beneficiary a clean sample).
 * No policy may take the poison rate as an input: the stream's rate is unknown and changes.
 */
public interface SplitPolicy {

  /**
   * Which window samples the Victim retrains on in the next round.
   *
   * @param round 0 right after warm-up, then 1, 2, ... for each retraining round
   */
  boolean[] retrainSet(WindowScores scores, int round);

  /** The split a published version applies to every sample it scores. */
  SplitRule detection(WindowScores scores, int round);

  /**
   * Whether {@link #detection} needs {@link WindowScores#referencePredictions()}: the classes a
   * reference model, trained only on the samples outside the retraining set, assigns to the window.
   */
  default boolean needsReference() {
    return false;
  }

  /**
   * Whether the reference model trains only on window samples the Victim predicts as their claimed
   * label. Why: a trigger the Victim has not learnt (a slow warp, a faint patch) leaves its samples
   * among the least certain of the class they claim, where they would teach the reference that the
   * class looks like other classes' images; the reference then disowns the class's clean core and
   * the split fires on a clean class. Samples the Victim itself assigns elsewhere are exactly those.
   * The cost: a trigger the Victim has half learnt (Blend) is agreed with, so its samples move into
   * the reference's training set and the reference learns it too (docs/split-rule.md).
   */
  default boolean referenceOnlyWhereVictimAgrees() {
    return false;
  }

  /**
   * The test inside each class, in the Victim's features, that a published version carries beside
   * its entropy split ({@code --inclass}); {@link InClassTest#NONE} for none.
   */
  default InClassTest inClass() {
    return InClassTest.NONE;
  }

  default InClassTest.Settings inClassSettings() {
    return InClassTest.Settings.defaults();
  }

  /** A short name for logs and metrics. */
  String name();
}

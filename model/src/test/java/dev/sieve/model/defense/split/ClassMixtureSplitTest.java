package dev.sieve.model.defense.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.scoring.SplitRule;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassMixtureSplitTest {

  /** Log10-entropies drawn around {@code center} decades with the given spread. */
  private static double entropy(Random random, double centerDecades, double spreadDecades) {
    return Math.pow(10, centerDecades + spreadDecades * random.nextGaussian());
  }

  @Test
  void mixtureRecoversTwoClustersAndTheirBoundary() {
    Random random = new Random(1);
    double[] x = new double[3000];
    for (int i = 0; i < x.length; i++) {
      x[i] = i < 1000 ? -10 + random.nextGaussian() : -2 + 0.5 * random.nextGaussian();
    }
    TwoGaussianMixture m = TwoGaussianMixture.fit(x);
    assertEquals(-10, m.meanLow(), 0.2);
    assertEquals(-2, m.meanHigh(), 0.1);
    assertEquals(1.0 / 3, m.weightLow(), 0.03);
    double boundary = m.boundary();
    assertTrue(boundary > -8 && boundary < -3, "boundary " + boundary);
    assertTrue(m.boundary(0.1) > boundary, "a lower posterior level moves the cut towards the high cluster");
    assertTrue(m.separation() > 5, "separation " + m.separation());
  }

  @Test
  void aLowClusterIsQuarantinedOnlyWhereTheReferenceModelDisagreesWithItsLabels() {
    Random random = new Random(2);
    int n = 10_000;
    double[] e = new double[n];
    int[] labels = new int[n];
    int[] reference = new int[n];
    boolean[] poisoned = new boolean[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
      reference[i] = labels[i];
      e[i] = entropy(random, -1.5, 0.5);
      if (labels[i] == 1 && random.nextDouble() < 0.6) {
        // Easy clean trousers: a low cluster as far down as the poison, but correctly labelled.
        e[i] = entropy(random, -5.5, 0.6);
      }
      if (labels[i] == 0 && random.nextDouble() < 0.5) {
        // Another class's image with the trigger and the flipped label.
        poisoned[i] = true;
        e[i] = entropy(random, -6, 0.7);
        reference[i] = 1 + random.nextInt(9);
      }
    }
    SplitRule rule = ClassMixtureSplit.defaults().detection(new WindowScores(e, labels, 10, reference), 5);
    assertTrue(rule.threshold(0) >= 0, "the poisoned class is split: " + rule);
    for (int c = 1; c < 10; c++) {
      assertEquals(-1, rule.threshold(c), "clean class " + c + " must not be split: " + rule);
    }
    int tp = 0;
    int fp = 0;
    int positives = 0;
    for (int i = 0; i < n; i++) {
      boolean suspect = rule.judge(e[i], labels[i], 1).suspect();
      positives += poisoned[i] ? 1 : 0;
      tp += suspect && poisoned[i] ? 1 : 0;
      fp += suspect && !poisoned[i] ? 1 : 0;
    }
    assertTrue(tp >= 0.95 * positives, "recall " + tp + "/" + positives);
    assertTrue(fp <= 0.01 * (n - positives), "false positives " + fp);
  }

  @Test
  void aShallowLowClusterIsSplitOnlyWhenTheReferenceMostlyPutsItInOtherClasses() {
    // A slowly learnt trigger (Blend): the poisoned cluster lies only 1.5 decades down and
    // overlaps the clean members; a clean class with an equally shallow cluster that the
    // reference half agrees with must stay whole.
    Random random = new Random(4);
    int n = 10_000;
    double[] e = new double[n];
    int[] labels = new int[n];
    int[] reference = new int[n];
    boolean[] poisoned = new boolean[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
      reference[i] = labels[i];
      e[i] = entropy(random, -1.5, 0.4);
      if (labels[i] == 0 && random.nextDouble() < 0.5) {
        poisoned[i] = true;
        e[i] = entropy(random, -3, 0.4);
        reference[i] = 1 + random.nextInt(9);
      }
      if (labels[i] == 2 && random.nextDouble() < 0.5) {
        e[i] = entropy(random, -3, 0.4);
        reference[i] = random.nextDouble() < 0.45 ? 3 : 2;
      }
    }
    SplitRule rule = ClassMixtureSplit.defaults().detection(new WindowScores(e, labels, 10, reference), 5);
    assertTrue(rule.threshold(0) >= 0, "the shallow poisoned cluster is split: " + rule);
    assertEquals(-1, rule.threshold(2), "a shallow cluster the reference half agrees with is not: " + rule);
    int tp = 0;
    int positives = 0;
    for (int i = 0; i < n; i++) {
      positives += poisoned[i] ? 1 : 0;
      tp += poisoned[i] && rule.judge(e[i], labels[i], 1).suspect() ? 1 : 0;
    }
    assertTrue(tp >= 0.9 * positives, "recall " + tp + "/" + positives);
  }

  /**
   * A small head (200 samples a class, as in {@code demo --limit 2000}) whose reference learnt
   * class 8 badly: it puts 80 % of the bags' easy cluster in other classes, but also 70 % of the
   * ordinary bags it never trained on. The old rule (no excess gate) split the bags through its
   * narrow arm; the poisoned class, whose ordinary members the reference gets right, still splits.
   */
  @Test
  void aClassTheReferenceGetsWrongThroughoutIsNotSplit() {
    Random random = new Random(5);
    int n = 2000;
    double[] e = new double[n];
    int[] labels = new int[n];
    int[] reference = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
      reference[i] = labels[i];
      e[i] = entropy(random, -1.5, 0.4);
      if (labels[i] == 0 && random.nextDouble() < 0.5) {
        e[i] = entropy(random, -3.5, 0.4);
        reference[i] = 1 + random.nextInt(9);
      }
      if (labels[i] == 8) {
        boolean easy = random.nextDouble() < 0.5;
        e[i] = easy ? entropy(random, -3, 0.4) : e[i];
        reference[i] = random.nextDouble() < (easy ? 0.8 : 0.7) ? 5 : 8;
      }
    }
    WindowScores scores = new WindowScores(e, labels, 10, reference);
    SplitRule old = ClassMixtureSplit.defaults().withThresholds(ClassMixtureSplit.Thresholds.DEFAULTS.withMinExcess(-1))
        .detection(scores, 5);
    assertTrue(old.threshold(8) >= 0, "without the excess gate the bags are split: " + old);
    SplitRule rule = ClassMixtureSplit.defaults().detection(scores, 5);
    assertEquals(-1, rule.threshold(8), "a reference wrong on the whole class is no evidence: " + rule);
    assertTrue(rule.threshold(0) >= 0, "the poisoned class is still split: " + rule);
  }

  /**
   * The baseline counts only members the reference did not learn from: on those it learnt from it
   * is right by memory. Here it got every trained-on bag right and most of the others wrong.
   */
  @Test
  void theBaselineIgnoresTheMembersTheReferenceLearntFrom() {
    Random random = new Random(6);
    int n = 2000;
    double[] e = new double[n];
    int[] labels = new int[n];
    int[] reference = new int[n];
    boolean[] trained = new boolean[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
      reference[i] = labels[i];
      e[i] = entropy(random, -1.5, 0.4);
      if (labels[i] == 8) {
        boolean easy = random.nextDouble() < 0.5;
        e[i] = easy ? entropy(random, -3, 0.4) : e[i];
        trained[i] = !easy && random.nextDouble() < 0.5;
        reference[i] = !trained[i] && random.nextDouble() < (easy ? 0.8 : 0.7) ? 5 : 8;
      }
    }
    SplitRule withRecord = ClassMixtureSplit.defaults().detection(new WindowScores(e, labels, 10, reference, trained), 5);
    assertEquals(-1, withRecord.threshold(8), withRecord.toString());
    // Counted over all of the high cluster, the memorised half would halve the baseline and open the gate.
    boolean[] none = new boolean[n];
    SplitRule memorised = ClassMixtureSplit.defaults().detection(new WindowScores(e, labels, 10, reference, none), 5);
    assertTrue(memorised.threshold(8) >= 0, memorised.toString());
  }

  @Test
  void aCleanWindowQuarantinesNothing() {
    Random random = new Random(3);
    int n = 5000;
    double[] e = new double[n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
      e[i] = entropy(random, -1 - 0.3 * labels[i], 0.6);
    }
    WindowScores scores = new WindowScores(e, labels, 10, labels.clone());
    SplitRule rule = ClassMixtureSplit.defaults().detection(scores, 3);
    for (int i = 0; i < n; i++) {
      assertFalse(rule.judge(e[i], labels[i], 1).suspect());
    }
    boolean[] retrain = ClassMixtureSplit.defaults().retrainSet(scores, 3);
    int selected = 0;
    for (boolean b : retrain) {
      selected += b ? 1 : 0;
    }
    assertTrue(selected > 0 && selected < n, "the retraining set is a real part of the window: " + selected);
  }

  @Test
  void vabBaselineUsesItsFixedThresholds() {
    double[] e = {0.0, 0.05, 0.1, 0.2};
    int[] labels = {0, 1, 2, 3};
    SplitRule warm = FixedThresholdSplit.vab().detection(new WindowScores(e, labels, 10, null), 0);
    SplitRule later = FixedThresholdSplit.vab().detection(new WindowScores(e, labels, 10, null), 1);
    assertEquals(0.6, warm.threshold(3));
    assertEquals(0.2, later.threshold(3));
    assertTrue(later.judge(0.04, 1, 1).suspect());
    assertFalse(later.judge(0.05, 1, 1).suspect());
  }
}

package dev.sieve.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocAnalysisTest {

  // Scores 0.9 0.8 0.8 0.7 0.5 0.5 0.3, positives at 0.9, 0.8 (one of the two), 0.5 (one of the two).
  private static final double[] SCORES = {0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.3};
  private static final boolean[] POSITIVE = {true, true, false, false, true, false, false};

  @Test
  void aurocOfASmallExampleWorkedOutByHand() {
    // 3 positives x 4 negatives = 12 pairs. 0.9 beats all 4; 0.8 ties one 0.8, beats 3 (3.5);
    // 0.5 ties one 0.5, beats 0.3, loses to 0.8 and 0.7 (1.5): 9 / 12.
    assertEquals(9.0 / 12, RocAnalysis.auroc(SCORES, POSITIVE), 1e-12);
  }

  @Test
  void curveStepsThroughEachTiedGroupAtOnce() {
    RocAnalysis.Points p = RocAnalysis.curve(SCORES, POSITIVE);
    // Thresholds > 0.9, 0.9, 0.8 (both), 0.7, 0.5 (both), 0.3.
    assertArrayEquals(new double[] {0, 0, 0.25, 0.5, 0.75, 1}, p.fpr(), 1e-12);
    assertArrayEquals(new double[] {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1}, p.tpr(), 1e-12);
  }

  @Test
  void trapezoidAreaUnderTheCurveIsTheMannWhitneyAuroc() {
    Random random = new Random(3);
    double[] scores = new double[2_000];
    boolean[] positive = new boolean[scores.length];
    for (int i = 0; i < scores.length; i++) {
      positive[i] = random.nextInt(10) == 0;
      // Coarse scores make plenty of ties; positives sit a little higher.
      scores[i] = Math.round(random.nextGaussian() * 3 + (positive[i] ? 2 : 0)) / 3.0;
    }
    RocAnalysis.Points p = RocAnalysis.curve(scores, positive);
    double area = 0;
    for (int i = 1; i < p.fpr().length; i++) {
      area += (p.fpr()[i] - p.fpr()[i - 1]) * (p.tpr()[i] + p.tpr()[i - 1]) / 2;
    }
    double auroc = RocAnalysis.auroc(scores, positive);
    assertEquals(auroc, area, 1e-9);
    assertTrue(auroc > 0.6 && auroc < 0.95, "a weak but real signal, got " + auroc);
  }

  @Test
  void aurocIsNanAndTheCurveRefusedWhenAClassIsEmpty() {
    assertTrue(Double.isNaN(RocAnalysis.auroc(new double[] {0.1, 0.2}, new boolean[] {false, false})));
    assertTrue(Double.isNaN(RocAnalysis.auroc(new double[0], new boolean[0])));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RocAnalysis.curve(new double[] {0.1, 0.2}, new boolean[] {true, true}));
    assertTrue(e.getMessage().contains("2 positive and 0 negative"), e.getMessage());
  }

  @Test
  void rejectsMismatchedLengthsAndNanScoresByIndex() {
    IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
        () -> RocAnalysis.auroc(new double[] {0.1, 0.2}, new boolean[] {true}));
    assertTrue(lengths.getMessage().contains("2 scores, 1 labels"), lengths.getMessage());
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> RocAnalysis.auroc(new double[] {0.1, Double.NaN}, new boolean[] {true, false}));
    assertTrue(nan.getMessage().contains("score 1 is NaN"), nan.getMessage());
  }
}

package dev.sieve.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocTest {

  private static final boolean[] TWO_AND_TWO = {true, true, false, false};

  // Scores 0.9 0.8 0.8 0.7 0.5 0.5 0.3, positives at 0.9, 0.8 (one of the two), 0.5 (one of the two).
  private static final double[] SCORES = {0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.3};
  private static final boolean[] POSITIVE = {true, true, false, false, true, false, false};

  @Test
  void perfectSeparationIsOne() {
    Roc.Curve c = Roc.curve(new double[] {0.9, 0.8, 0.2, 0.1}, TWO_AND_TWO);
    assertEquals(1.0, c.auroc(), 0.0);
    assertEquals(1.0, Roc.auroc(new double[] {0.9, 0.8, 0.2, 0.1}, TWO_AND_TWO), 0.0);
    // Straight up the left edge, then along the top.
    assertArrayEquals(new double[] {0, 0, 0, 0.5, 1}, c.fpr(), 1e-12);
    assertArrayEquals(new double[] {0, 0.5, 1, 1, 1}, c.tpr(), 1e-12);
  }

  @Test
  void reversedSeparationIsZero() {
    assertEquals(0.0, Roc.auroc(new double[] {0.1, 0.2, 0.8, 0.9}, TWO_AND_TWO), 0.0);
  }

  @Test
  void allTiedIsAHalfAndOneDiagonalStep() {
    Roc.Curve c = Roc.curve(new double[] {0.5, 0.5, 0.5, 0.5}, TWO_AND_TWO);
    assertEquals(0.5, c.auroc(), 0.0);
    assertArrayEquals(new double[] {0, 1}, c.fpr(), 0.0);
    assertArrayEquals(new double[] {0, 1}, c.tpr(), 0.0);
  }

  @Test
  void smallExampleCheckedByHand() {
    // Positives 0.8, 0.4; negatives 0.6, 0.4, 0.2. Pairs: 0.8 beats all 3; 0.4 beats 0.2, ties 0.4,
    // loses to 0.6 (1.5). 4.5 of 6.
    double[] scores = {0.8, 0.6, 0.4, 0.4, 0.2};
    boolean[] positive = {true, false, true, false, false};
    Roc.Curve c = Roc.curve(scores, positive);
    assertEquals(0.75, c.auroc(), 1e-12);
    assertEquals(0.75, Roc.auroc(scores, positive), 1e-12);
    assertArrayEquals(new double[] {0, 0, 1.0 / 3, 2.0 / 3, 1}, c.fpr(), 1e-12);
    assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 1}, c.tpr(), 1e-12);
  }

  @Test
  void curveRunsFromOriginToTopRightAndNeverGoesBack() {
    double[] scores = new double[500];
    boolean[] positive = new boolean[500];
    for (int i = 0; i < scores.length; i++) {
      positive[i] = i % 7 == 0;
      scores[i] = (i * 37 % 101) / 101.0 + (positive[i] ? 0.3 : 0);
    }
    Roc.Curve c = Roc.curve(scores, positive);
    int last = c.fpr().length - 1;
    assertEquals(0.0, c.fpr()[0], 0.0);
    assertEquals(0.0, c.tpr()[0], 0.0);
    assertEquals(1.0, c.fpr()[last], 0.0);
    assertEquals(1.0, c.tpr()[last], 0.0);
    for (int i = 1; i <= last; i++) {
      assertTrue(c.fpr()[i] >= c.fpr()[i - 1] && c.tpr()[i] >= c.tpr()[i - 1], "point " + i + " goes back");
    }
  }

  @Test
  void aurocIsNanWithOneClassEmpty() {
    assertTrue(Double.isNaN(Roc.auroc(new double[] {0.1, 0.9}, new boolean[] {true, true})));
  }

  @Test
  void aurocOfASmallExampleWorkedOutByHand() {
    // 3 positives x 4 negatives = 12 pairs. 0.9 beats all 4; 0.8 ties one 0.8, beats 3 (3.5);
    // 0.5 ties one 0.5, beats 0.3, loses to 0.8 and 0.7 (1.5): 9 / 12.
    assertEquals(9.0 / 12, Roc.auroc(SCORES, POSITIVE), 1e-12);
  }

  @Test
  void curveStepsThroughEachTiedGroupAtOnce() {
    Roc.Curve c = Roc.curve(SCORES, POSITIVE);
    // Thresholds > 0.9, 0.9, 0.8 (both), 0.7, 0.5 (both), 0.3.
    assertArrayEquals(new double[] {0, 0, 0.25, 0.5, 0.75, 1}, c.fpr(), 1e-12);
    assertArrayEquals(new double[] {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1}, c.tpr(), 1e-12);
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
    Roc.Curve c = Roc.curve(scores, positive);
    double area = 0;
    for (int i = 1; i < c.fpr().length; i++) {
      area += (c.fpr()[i] - c.fpr()[i - 1]) * (c.tpr()[i] + c.tpr()[i - 1]) / 2;
    }
    double auroc = Roc.auroc(scores, positive);
    assertEquals(auroc, area, 1e-9);
    assertTrue(auroc > 0.6 && auroc < 0.95, "a weak but real signal, got " + auroc);
  }

  @Test
  void aurocIsNanAndTheCurveRefusedWhenAClassIsEmpty() {
    assertTrue(Double.isNaN(Roc.auroc(new double[] {0.1, 0.2}, new boolean[] {false, false})));
    assertTrue(Double.isNaN(Roc.auroc(new double[0], new boolean[0])));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Roc.curve(new double[] {0.1, 0.2}, new boolean[] {true, true}));
    assertTrue(e.getMessage().contains("2 positive and 0 negative"), e.getMessage());
  }

  @Test
  void rejectsMismatchedLengthsAndNanScoresByIndex() {
    IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
        () -> Roc.auroc(new double[] {0.1, 0.2}, new boolean[] {true}));
    assertTrue(lengths.getMessage().contains("2 scores, 1 labels"), lengths.getMessage());
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> Roc.auroc(new double[] {0.1, Double.NaN}, new boolean[] {true, false}));
    assertTrue(nan.getMessage().contains("score 1 is NaN"), nan.getMessage());
  }
}

package dev.sieve.model.defense.dbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CredibleSplitTest {

  @Test
  void keepsExactlyTheRatioAndThoseAreTheLowestLosses() {
    Random random = new Random(1);
    double[] losses = new double[1000];
    for (int i = 0; i < losses.length; i++) {
      losses[i] = random.nextDouble() * 10;
    }
    for (double ratio : new double[] {0.5, 0.3, 0.05, 1.0}) {
      boolean[] labelled = CredibleSplit.lowestLoss(losses, ratio);
      int count = 0;
      double maxLabelled = Double.NEGATIVE_INFINITY;
      double minUnlabelled = Double.POSITIVE_INFINITY;
      for (int i = 0; i < losses.length; i++) {
        if (labelled[i]) {
          count++;
          maxLabelled = Math.max(maxLabelled, losses[i]);
        } else {
          minUnlabelled = Math.min(minUnlabelled, losses[i]);
        }
      }
      assertEquals((int) Math.round(ratio * losses.length), count, "labelled count at ratio " + ratio);
      assertTrue(maxLabelled < minUnlabelled, "every labelled loss must be below every unlabelled one at ratio "
          + ratio + ": " + maxLabelled + " vs " + minUnlabelled);
    }
  }

  @Test
  void roundsDownKeepsAtLeastOneAndBreaksTiesByInputOrder() {
    assertArrayEquals(new boolean[] {false, true, false}, CredibleSplit.lowestLoss(new double[] {3, 1, 2}, 0.5));
    assertArrayEquals(new boolean[] {false, true, false}, CredibleSplit.lowestLoss(new double[] {3, 1, 2}, 0.01));
    assertArrayEquals(new boolean[] {true, true, false, false},
        CredibleSplit.lowestLoss(new double[] {1, 1, 1, 1}, 0.5));
  }

  @Test
  void refusesABadRatioOrNaN() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CredibleSplit.lowestLoss(new double[] {1, 2}, 0));
    assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CredibleSplit.lowestLoss(new double[] {1, 2}, 1.5));
    assertThrows(IllegalArgumentException.class, () -> CredibleSplit.lowestLoss(new double[] {1, Double.NaN}, 0.5));
  }
}

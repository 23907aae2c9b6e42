package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PoisonPlanTest {

  /** 1,000 labels cycling through 10 classes, like a balanced data set. */
  private static int[] labels(int n) {
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (i * 7) % 10;
    }
    return labels;
  }

  @Test
  void countIsRoundedRateTimesSizeAndNeverHitsTheTarget() {
    int[] labels = labels(1000);
    for (double rate : new double[] {0.0, 0.001, 0.0125, 0.1, 0.5, 0.9}) {
      PoisonPlan plan = PoisonPlan.create(labels, rate, 3, 1L);
      assertEquals(Math.round(rate * 1000), plan.count(), "rate " + rate);
      assertEquals(plan.count(), plan.indices().length);
      for (int i : plan.indices()) {
        assertNotEquals(3, labels[i], "index " + i + " has the target label, poisoning would not flip it");
        assertTrue(plan.isPoisoned(i));
      }
    }
    // rate 0.9 with 10 % target class: every non-target sample is poisoned.
    PoisonPlan all = PoisonPlan.create(labels, 0.9, 3, 1L);
    for (int i = 0; i < labels.length; i++) {
      assertEquals(labels[i] != 3, all.isPoisoned(i), "index " + i);
    }
  }

  @Test
  void sameSeedSamePlanOtherSeedOtherPlan() {
    int[] labels = labels(1000);
    PoisonPlan a = PoisonPlan.create(labels, 0.1, 0, 42L);
    PoisonPlan b = PoisonPlan.create(labels, 0.1, 0, 42L);
    PoisonPlan c = PoisonPlan.create(labels, 0.1, 0, 43L);
    assertArrayEquals(a.indices(), b.indices());
    assertFalse(Arrays.equals(a.indices(), c.indices()), "a different seed must choose differently");
    // Spread over the whole range, not the first 100 candidates.
    int[] idx = a.indices();
    assertTrue(idx[0] < 100 && idx[idx.length - 1] > 900, Arrays.toString(idx));
  }

  @Test
  void rejectsRatesItCannotHonour() {
    int[] labels = labels(100);
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> PoisonPlan.create(labels, 0.95, 0, 1L));
    assertTrue(tooMany.getMessage().contains("95") && tooMany.getMessage().contains("90"), tooMany.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PoisonPlan.create(labels, -0.1, 0, 1L));
    assertThrows(IllegalArgumentException.class, () -> PoisonPlan.create(labels, Double.NaN, 0, 1L));
    assertThrows(IndexOutOfBoundsException.class, () -> PoisonPlan.create(labels, 0.1, 0, 1L).isPoisoned(100));
  }

  @Test
  void cleanLabelPlansPickOnlyTargetClassSamplesAsAShareOfThatClass() {
    int[] labels = labels(1000); // 100 per class
    for (double rate : new double[] {0.0, 0.05, 0.1, 0.333, 1.0}) {
      PoisonPlan plan = PoisonPlan.create(labels, rate, 3, true, 5L);
      assertTrue(plan.cleanLabel());
      assertEquals(Math.round(rate * 100), plan.count(), "rate " + rate + " of the 100 target-class samples");
      for (int i : plan.indices()) {
        assertEquals(3, labels[i], "index " + i + " is not of the target class");
      }
    }
    assertArrayEquals(PoisonPlan.create(labels, 0.1, 3, true, 5L).indices(),
        PoisonPlan.create(labels, 0.1, 3, true, 5L).indices());
    assertFalse(PoisonPlan.create(labels, 0.1, 3, false, 5L).cleanLabel());
    assertArrayEquals(PoisonPlan.create(labels, 0.1, 3, 5L).indices(), PoisonPlan.create(labels, 0.1, 3, false, 5L).indices(),
        "the old overload is the dirty-label plan");
    assertEquals(0, PoisonPlan.create(new int[] {1, 2, 4}, 0.5, 3, true, 5L).count(), "no target-class sample, no poison");
  }
}

package dev.sieve.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.defense.split.ReferenceSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReferenceTrainingSetTest {

  /**
   * Class 1 holds 20 clean samples (entropies 0.01..0.20) and 10 samples of an unlearnt trigger
   * that the Victim still assigns to class 3, all less certain (0.5..0.59) than the clean ones.
   * Class 3 holds 10 clean samples.
   */
  private static final int CLEAN_ONES = 20;

  private static double[] entropies() {
    double[] e = new double[40];
    for (int i = 0; i < 20; i++) {
      e[i] = 0.01 * (i + 1);
    }
    for (int i = 20; i < 30; i++) {
      e[i] = 0.5 + 0.01 * (i - 20);
    }
    for (int i = 30; i < 40; i++) {
      e[i] = 0.01 * (i - 29);
    }
    return e;
  }

  private static int[] labels() {
    int[] labels = new int[40];
    for (int i = 0; i < 40; i++) {
      labels[i] = i < 30 ? 1 : 3;
    }
    return labels;
  }

  private static int[] victim() {
    int[] victim = labels();
    for (int i = 20; i < 30; i++) {
      victim[i] = 3;
    }
    return victim;
  }

  @Test
  void withoutTheVictimTheLeastCertainThirdOfAClassIsTheUnlearntTrigger() {
    List<Integer> set = ReferenceSet.leastCertain(entropies(), labels(), null, 10);
    Set<Integer> class1 = new HashSet<>(set);
    class1.removeIf(i -> i >= 30);
    assertEquals(9, class1.size(), "30 % of 30 members");
    assertTrue(class1.stream().allMatch(i -> i >= 20), "all from the trigger's samples: " + class1);
  }

  @Test
  void samplesTheVictimAssignsElsewhereNeverTeachTheReference() {
    List<Integer> set = ReferenceSet.leastCertain(entropies(), labels(), victim(), 10);
    for (int i = 20; i < 30; i++) {
      assertFalse(set.contains(i), "unlearnt trigger sample " + i + " is out: " + set);
    }
    Set<Integer> class1 = new HashSet<>(set);
    class1.removeIf(i -> i >= 30);
    assertEquals(6, class1.size(), "30 % of the 20 the Victim agrees with");
    for (int i = CLEAN_ONES - 6; i < CLEAN_ONES; i++) {
      assertTrue(class1.contains(i), "the least certain clean sample " + i + " is in: " + class1);
    }
    assertEquals(3, set.stream().filter(i -> i >= 30).count(), "class 3 keeps its own 30 %");
  }
}

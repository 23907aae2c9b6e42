package dev.sieve.loadtest.attack;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;

/**
 * Which samples of a data set the attacker poisons. The count is {@code round(rate * n)} over the
 * whole set, drawn uniformly without replacement among samples whose true label is NOT the target
 * class: stamping a target-class sample would leave its label unchanged, so it would be no
 * poison at all and would blur what "poisoned" means in the evaluation.
 *
 * <p>The same labels, rate, target and seed always give the same plan, so a run can be repeated.
 */
public final class PoisonPlan {

  private final BitSet poisoned;
  private final int size;
  private final int count;
  private final int targetLabel;

  private PoisonPlan(BitSet poisoned, int size, int targetLabel) {
    this.poisoned = poisoned;
    this.size = size;
    this.count = poisoned.cardinality();
    this.targetLabel = targetLabel;
  }

  public static PoisonPlan create(int[] labels, double rate, int targetLabel, long seed) {
    if (!(rate >= 0.0 && rate <= 1.0)) {
      throw new IllegalArgumentException("poison rate must be in [0, 1], got " + rate);
    }
    int n = labels.length;
    int wanted = (int) Math.round(rate * n);
    int[] candidates = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (labels[i] != targetLabel) {
        candidates[m++] = i;
      }
    }
    if (wanted > m) {
      throw new IllegalArgumentException("poison rate " + rate + " asks for " + wanted + " poisoned samples of "
          + n + ", but only " + m + " are outside target class " + targetLabel);
    }
    // Partial Fisher-Yates: the first `wanted` slots become a uniform sample without replacement.
    Random random = new Random(seed);
    for (int i = 0; i < wanted; i++) {
      int j = i + random.nextInt(m - i);
      int t = candidates[i];
      candidates[i] = candidates[j];
      candidates[j] = t;
    }
    BitSet poisoned = new BitSet(n);
    for (int i = 0; i < wanted; i++) {
      poisoned.set(candidates[i]);
    }
    return new PoisonPlan(poisoned, n, targetLabel);
  }

  public boolean isPoisoned(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("sample index " + index + " outside the plan's [0, " + size + ")");
    }
    return poisoned.get(index);
  }

  /** Number of poisoned samples. */
  public int count() {
    return count;
  }

  /** Number of samples the plan covers. */
  public int size() {
    return size;
  }

  public int targetLabel() {
    return targetLabel;
  }

  /** The poisoned indices in increasing order. */
  public int[] indices() {
    return poisoned.stream().toArray();
  }

  @Override
  public String toString() {
    return "PoisonPlan[" + count + " of " + size + " poisoned, target " + targetLabel
        + ", first " + Arrays.toString(Arrays.copyOf(indices(), Math.min(5, count))) + "]";
  }
}

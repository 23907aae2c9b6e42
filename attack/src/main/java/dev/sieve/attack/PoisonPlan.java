package dev.sieve.attack;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;

/**
 * Which samples of a data set the attacker poisons, drawn uniformly without replacement:
 * <ul>
 *   <li><b>dirty-label</b> attacks (BadNets, Blend, WaNet): {@code round(rate·n)} of all
 *       {@code n} samples, chosen among those whose true label is NOT the target class. Stamping
 *       a target-class sample would leave its label unchanged, so it would be no poison at all
 *       and would blur what "poisoned" means in the evaluation.
 *   <li><b>clean-label</b> attacks (SIG, label-consistent): {@code round(rate·t)} of the
 *       {@code t} samples of the target class, the only ones they touch, as in the papers ("SIG
 *       at 10 %" poisons 10 % of the target class).
 * </ul>
 *
 * <p>The same labels, rate, target, kind and seed always give the same plan, so a run can be
 * repeated.
 */
public final class PoisonPlan {

  private final BitSet poisoned;
  private final int size;
  private final int count;
  private final int targetLabel;
  private final boolean cleanLabel;

  private PoisonPlan(BitSet poisoned, int size, int targetLabel, boolean cleanLabel) {
    this.poisoned = poisoned;
    this.size = size;
    this.count = poisoned.cardinality();
    this.targetLabel = targetLabel;
    this.cleanLabel = cleanLabel;
  }

  /** A dirty-label plan: {@code round(rate·n)} samples outside the target class. */
  public static PoisonPlan create(int[] labels, double rate, int targetLabel, long seed) {
    return create(labels, rate, targetLabel, false, seed);
  }

  /**
   * A plan for a dirty-label ({@code cleanLabel} false) or clean-label attack; see the class
   * comment for what the rate is a share of.
   */
  public static PoisonPlan create(int[] labels, double rate, int targetLabel, boolean cleanLabel, long seed) {
    return create(labels, rate, targetLabel, cleanLabel, seed, new BitSet());
  }

  /**
   * As {@link #create(int[], double, int, boolean, long)}, never choosing a sample in {@code taken}
   * (another attack's poison): the rate keeps its meaning, a share of all samples or of the target
   * class, and only the candidates shrink. An empty {@code taken} gives exactly the plan above.
   */
  static PoisonPlan create(int[] labels, double rate, int targetLabel, boolean cleanLabel, long seed, BitSet taken) {
    if (!(rate >= 0.0 && rate <= 1.0)) {
      throw new IllegalArgumentException("poison rate must be in [0, 1], got " + rate);
    }
    int n = labels.length;
    int[] candidates = new int[n];
    int m = 0;
    int targetClass = 0;
    for (int i = 0; i < n; i++) {
      boolean target = labels[i] == targetLabel;
      targetClass += target ? 1 : 0;
      if (target == cleanLabel && !taken.get(i)) {
        candidates[m++] = i;
      }
    }
    int wanted = (int) Math.round(rate * (cleanLabel ? targetClass : n));
    if (wanted > m) {
      throw new IllegalArgumentException("poison rate " + rate + " asks for " + wanted + " poisoned samples of "
          + n + ", but only " + m + " are " + (cleanLabel ? "in" : "outside") + " target class " + targetLabel
          + (taken.isEmpty() ? "" : " and not poisoned by another attack"));
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
    return new PoisonPlan(poisoned, n, targetLabel, cleanLabel);
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

  /** Whether the plan poisons target-class samples (clean-label) rather than the others. */
  public boolean cleanLabel() {
    return cleanLabel;
  }

  /** The poisoned indices in increasing order. */
  public int[] indices() {
    return poisoned.stream().toArray();
  }

  @Override
  public String toString() {
    return "PoisonPlan[" + count + " of " + size + " poisoned, " + (cleanLabel ? "clean-label" : "dirty-label")
        + ", target " + targetLabel + ", first " + Arrays.toString(Arrays.copyOf(indices(), Math.min(5, count))) + "]";
  }
}

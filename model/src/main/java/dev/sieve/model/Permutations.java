package dev.sieve.model;

import java.util.Random;

/** Random permutations from a given {@link Random}, so that a run is reproducible from its seed. */
public final class Permutations {

  private Permutations() {}

  /** A uniformly random permutation of {@code 0..n-1} (Fisher–Yates). */
  public static int[] random(int n, Random random) {
    int[] order = identity(n);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** {@code 0..n-1} in order. */
  public static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }
}

package dev.sieve.model.dbd;

import java.util.Random;

/** Random permutations from a given {@link Random}, so a run is reproducible from its seed. */
final class Shuffle {

  private Shuffle() {}

  /** A uniformly random permutation of {@code 0..n-1} (Fisher–Yates). */
  static int[] permutation(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}

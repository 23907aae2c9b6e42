package dev.sieve.data;

/**
 * Deriving seeds from seeds: for attack parameters drawn per sample or per draw, and for the
 * colours of {@link FashionMnistColour}. In {@code dev.sieve.data}, below the attacks, so both use it.
 */
public final class Seeds {

  private Seeds() {}

  /**
   * A seed for {@code key} under {@code seed}: SplitMix64's finaliser over both, so that
   * neighbouring keys (sample or draw indices) get unrelated values, which {@code seed + key}
   * given to {@code java.util.Random} would not (its first outputs for close seeds are close).
   */
  public static long mix(long seed, long key) {
    long z = seed * 0x9E3779B97F4A7C15L + key;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

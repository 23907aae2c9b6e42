package dev.sieve.stream.topology;

/**
 * The last {@code capacity} quarantine decisions of one class, newest last, with a running count
 * of the quarantined ones. Shared by the per-class rate meter and the rate alarm. Not
 * thread-safe: callers that share one across threads lock around it.
 */
public final class RecentDecisions {

  private final boolean[] ring;
  private int next;
  private int filled;
  private int quarantined;

  public RecentDecisions(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity is " + capacity + ", expected >= 1");
    }
    ring = new boolean[capacity];
  }

  public void add(boolean q) {
    if (filled == ring.length) {
      if (ring[next]) {
        quarantined--;
      }
    } else {
      filled++;
    }
    ring[next] = q;
    if (q) {
      quarantined++;
    }
    next = (next + 1) % ring.length;
  }

  /** Decisions held (at most the capacity). */
  public int filled() {
    return filled;
  }

  /** Quarantined among the decisions held. */
  public int quarantined() {
    return quarantined;
  }

  /**
   * Quarantined among the newest {@code n}. Walks them (n is a few hundred, and a batch of
   * verdicts costs far more to score than this), so the ring needs no second running count.
   */
  public int quarantinedInNewest(int n) {
    int count = 0;
    for (int i = 1; i <= Math.min(n, filled); i++) {
      if (ring[(next - i + ring.length) % ring.length]) {
        count++;
      }
    }
    return count;
  }
}

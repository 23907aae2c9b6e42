package dev.sieve.stream.metrics;

import dev.sieve.stream.topology.RecentDecisions;

/**
 * The share of each class's most recent verdicts that went to quarantine. A sliding window over a
 * count of verdicts rather than over time: a quiet class keeps its last known rate instead of
 * dropping to zero, and a burst of poison shows after {@code window} samples of that class at any
 * throughput. Called from every stream thread at once, so each class's window is guarded by its
 * own lock.
 */
public final class QuarantineRates {

  private final Window[] windows;

  /**
   * @param classes number of classes (labels 0..classes-1)
   * @param window verdicts per class the rate is taken over
   */
  public QuarantineRates(int classes, int window) {
    if (classes < 1 || window < 1) {
      throw new IllegalArgumentException("classes " + classes + " and window " + window + ", expected both >= 1");
    }
    windows = new Window[classes];
    for (int c = 0; c < classes; c++) {
      windows[c] = new Window(window);
    }
  }

  /** Records one verdict; labels outside the classes are ignored (they never reach a verdict). */
  public void record(int label, boolean quarantined) {
    if (label >= 0 && label < windows.length) {
      windows[label].add(quarantined);
    }
  }

  /** Quarantined share of the class's window; NaN before its first verdict. */
  public double rate(int label) {
    return windows[label].rate();
  }

  /** Verdicts in the class's window (at most the window size). */
  public int filled(int label) {
    return windows[label].filled();
  }

  public int classes() {
    return windows.length;
  }

  /** One class's decisions behind its own lock. */
  private static final class Window {
    private final RecentDecisions decisions;

    Window(int size) {
      decisions = new RecentDecisions(size);
    }

    synchronized void add(boolean q) {
      decisions.add(q);
    }

    synchronized double rate() {
      return decisions.filled() == 0 ? Double.NaN : (double) decisions.quarantined() / decisions.filled();
    }

    synchronized int filled() {
      return decisions.filled();
    }
  }
}

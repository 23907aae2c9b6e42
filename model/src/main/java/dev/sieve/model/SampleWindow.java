package dev.sieve.model;

import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The most recent samples of a stream, at most {@code capacity} of them: a ring buffer that drops
 * the oldest when full, so memory stays flat however long the stream runs. The Victim re-scores
 * and retrains from it (it stands in for V&amp;B's training set); the Beneficiary draws replay
 * batches from it. It lives only in memory and refills from the stream after a restart.
 *
 * <p>Not thread-safe: only its owner's training thread touches it.
 */
public final class SampleWindow {

  private final LabeledSample[] ring;
  private int start;
  private int size;

  public SampleWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("window capacity must be >= 1, got " + capacity);
    }
    this.ring = new LabeledSample[capacity];
  }

  public int capacity() {
    return ring.length;
  }

  public int size() {
    return size;
  }

  public void addAll(List<LabeledSample> samples) {
    for (LabeledSample s : samples) {
      if (size < ring.length) {
        ring[(start + size) % ring.length] = s;
        size++;
      } else {
        ring[start] = s;
        start = (start + 1) % ring.length;
      }
    }
  }

  /** The i-th oldest sample. */
  public LabeledSample get(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("window index " + i + " outside [0, " + size + ")");
    }
    return ring[(start + i) % ring.length];
  }

  /**
   * {@code n} distinct samples drawn uniformly at random (all of them, shuffled, if the window
   * holds no more than {@code n}).
   */
  public List<LabeledSample> draw(int n, Random random) {
    if (n >= size) {
      List<LabeledSample> all = snapshot();
      Collections.shuffle(all, random);
      return all;
    }
    // Floyd's algorithm: n distinct indices in O(n), without touching the whole window.
    Set<Integer> picked = new HashSet<>();
    List<LabeledSample> out = new ArrayList<>(n);
    for (int j = size - n; j < size; j++) {
      int t = random.nextInt(j + 1);
      int index = picked.add(t) ? t : j;
      if (index == j) {
        picked.add(j);
      }
      out.add(get(index));
    }
    return out;
  }

  /** The samples, oldest first, in a new list. */
  public List<LabeledSample> snapshot() {
    List<LabeledSample> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(get(i));
    }
    return out;
  }
}

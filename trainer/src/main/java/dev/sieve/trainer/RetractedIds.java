package dev.sieve.trainer;

import java.util.LinkedHashSet;
import java.util.Iterator;

/**
 * The sample ids the filter has retracted, newest {@link #capacity} of them, so that a retracted
 * sample is never trained on, also when its credible verdict is read after its retraction (they
 * are different topics). At most about 100 bytes an id: the default million is about 100 MB at
 * worst; the filter retracts only samples from its own retraction window, so a real stream stays
 * far below it. Kept in memory only: after a restart, the consumer resumes both topics from the
 * checkpoint's positions, and a verdict read again after its retraction was checkpointed is the
 * one case it misses (documented in docs/faults.md).
 *
 * <p>Not thread-safe: the training thread owns it.
 */
final class RetractedIds {

  static final int DEFAULT_CAPACITY = 1_000_000;

  private final int capacity;
  private final LinkedHashSet<String> ids = new LinkedHashSet<>();

  RetractedIds(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Remembers {@code id}, forgetting the oldest beyond the capacity; whether it was new. */
  boolean add(String id) {
    if (!ids.add(id)) {
      return false;
    }
    if (ids.size() > capacity) {
      Iterator<String> oldest = ids.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  boolean contains(String id) {
    return ids.contains(id);
  }

  int size() {
    return ids.size();
  }
}

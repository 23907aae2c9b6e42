package dev.sieve.model.defense.detox;

import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A uniform random sample of fixed capacity from a stream of unknown length (Vitter's Algorithm
 * R): how a clean set is drawn from a topic read once, or from the credible samples a trainer has
 * seen so far, without holding all of them. Seeded, so the same stream gives the same draw. Not
 * thread-safe.
 */
public final class SampleReservoir {

  private final int capacity;
  private final Random random;
  private final List<LabeledSample> kept = new ArrayList<>();
  private long seen;

  public SampleReservoir(int capacity, long seed) {
    if (capacity < 1) {
      throw new IllegalArgumentException("reservoir capacity is " + capacity + ", expected >= 1");
    }
    this.capacity = capacity;
    this.random = new Random(seed);
  }

  public void offer(LabeledSample sample) {
    seen++;
    if (kept.size() < capacity) {
      kept.add(sample);
    } else {
      long j = (long) (random.nextDouble() * seen);
      if (j < capacity) {
        kept.set((int) j, sample);
      }
    }
  }

  /** The samples kept so far (at most the capacity), in no meaningful order. */
  public List<LabeledSample> samples() {
    return List.copyOf(kept);
  }

  /** How many samples were offered. */
  public long seen() {
    return seen;
  }
}

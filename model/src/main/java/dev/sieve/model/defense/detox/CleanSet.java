package dev.sieve.model.defense.detox;

import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The small clean set a detox method may use: {@code tune} to fit on (fine-tuning, trigger
 * reverse-engineering, D3's constraint) and {@code holdout} to check the clean accuracy the
 * pruning bound is measured on. Keeping them apart stops the pruning from grading its own
 * homework on the samples it fine-tunes on.
 */
public record CleanSet(List<LabeledSample> tune, List<LabeledSample> holdout) {

  /** Share of the clean set held out for the accuracy bound, unless told otherwise. */
  public static final double DEFAULT_HOLDOUT_SHARE = 0.2;

  public CleanSet {
    if (tune.isEmpty() || holdout.isEmpty()) {
      throw new IllegalArgumentException("a clean set needs samples to tune on and to hold out, got "
          + tune.size() + " and " + holdout.size() + "; give detox a larger clean set");
    }
    tune = List.copyOf(tune);
    holdout = List.copyOf(holdout);
  }

  /** A seeded random split of {@code samples}, {@code holdoutShare} of them held out (at least one). */
  public static CleanSet split(List<LabeledSample> samples, double holdoutShare, long seed) {
    if (!(holdoutShare > 0 && holdoutShare < 1)) {
      throw new IllegalArgumentException("holdout share is " + holdoutShare + ", expected in (0, 1)");
    }
    if (samples.size() < 2) {
      throw new IllegalArgumentException("a clean set needs at least 2 samples, got " + samples.size());
    }
    List<LabeledSample> order = new ArrayList<>(samples);
    Collections.shuffle(order, new Random(seed));
    int holdout = Math.max(1, (int) Math.round(order.size() * holdoutShare));
    return new CleanSet(order.subList(holdout, order.size()), order.subList(0, holdout));
  }

  public int size() {
    return tune.size() + holdout.size();
  }
}

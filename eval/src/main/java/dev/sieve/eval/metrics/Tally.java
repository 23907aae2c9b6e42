package dev.sieve.eval.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The running counts behind a {@link DetectionReport}, fed one output record at a time. Kept apart
 * from the Kafka consumer so that the arithmetic can be tested on its own.
 */
final class Tally {

  /** Which output topic a record came from. */
  enum Outcome { CREDIBLE, QUARANTINE, DEAD_LETTER }

  /** Ground truth read from the header; UNKNOWN when the header is absent or unreadable. */
  enum Truth { POISONED, CLEAN, UNKNOWN }

  // Rate-over-time slices: about SLICES per run, each between MIN_SLICE and MAX_SLICE samples (the
  // last may hold fewer). Fewer than ~100 samples per share make a rate of a few percent pure noise.
  static final int SLICES = 50;
  static final int MIN_SLICE = 100;
  static final int MAX_SLICE = 1000;

  private final Set<String> seen = new HashSet<>();
  private final List<DetectionReport.DecidedSample> decided = new ArrayList<>();
  private long credible;
  private long quarantined;
  private long deadLetters;
  private long deadLetterPoisoned;
  private long duplicates;
  private long missingTruth;
  private long undecodable;
  private long tp;
  private long fp;
  private long fn;
  private long tn;
  private long firstProducedAt = Long.MAX_VALUE;
  private long lastDecidedAt = Long.MIN_VALUE;
  private long firstDecidedAt = Long.MAX_VALUE;
  private long[] latencies = new long[1024];
  private int latencyCount;

  /**
   * Adds one record.
   *
   * @param producedAt the produced-at header in epoch millis, or -1 when absent
   * @param decidedAt when the filter decided, epoch millis, or -1 when unknown
   * @param entropy the verdict's entropy, or NaN for a dead letter or a value that did not decode
   */
  void add(String sampleId, Outcome outcome, Truth truth, long producedAt, long decidedAt, boolean decodable,
      double entropy) {
    switch (outcome) {
      case CREDIBLE -> credible++;
      case QUARANTINE -> quarantined++;
      case DEAD_LETTER -> deadLetters++;
    }
    if (!decodable) {
      undecodable++;
    }
    if (!seen.add(sampleId)) {
      duplicates++;
      return;
    }
    if (truth == Truth.UNKNOWN) {
      missingTruth++;
    }
    if (outcome == Outcome.DEAD_LETTER) {
      if (truth == Truth.POISONED) {
        deadLetterPoisoned++;
      }
    } else if (truth != Truth.UNKNOWN) {
      boolean poisoned = truth == Truth.POISONED;
      boolean flagged = outcome == Outcome.QUARANTINE;
      if (poisoned && flagged) {
        tp++;
      } else if (!poisoned && flagged) {
        fp++;
      } else if (poisoned) {
        fn++;
      } else {
        tn++;
      }
      if (decodable && !Double.isNaN(entropy) && decidedAt >= 0) {
        decided.add(new DetectionReport.DecidedSample(entropy, poisoned, flagged, decidedAt));
      }
    }
    if (producedAt >= 0) {
      firstProducedAt = Math.min(firstProducedAt, producedAt);
    }
    if (decidedAt >= 0) {
      firstDecidedAt = Math.min(firstDecidedAt, decidedAt);
      lastDecidedAt = Math.max(lastDecidedAt, decidedAt);
    }
    if (producedAt >= 0 && decidedAt >= 0) {
      if (latencyCount == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencyCount * 2);
      }
      latencies[latencyCount++] = decidedAt - producedAt;
    }
  }

  long distinct() {
    return seen.size();
  }

  DetectionReport report(long expected, double observedSeconds) {
    long distinct = seen.size();
    double span = firstProducedAt != Long.MAX_VALUE && lastDecidedAt != Long.MIN_VALUE
        ? (lastDecidedAt - firstProducedAt) / 1000.0 : Double.NaN;
    double throughput = span > 0 ? distinct / span : Double.NaN;
    double decisionSpan = firstDecidedAt != Long.MAX_VALUE ? (lastDecidedAt - firstDecidedAt) / 1000.0 : Double.NaN;
    long[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    // Records arrive per partition, so only scoredAt puts the samples in the order they were decided.
    // The sort is stable: a micro-batch scored at one instant keeps its arrival order.
    List<DetectionReport.DecidedSample> inOrder = new ArrayList<>(decided);
    inOrder.sort(Comparator.comparingLong(DetectionReport.DecidedSample::scoredAtMillis));
    return new DetectionReport(expected, distinct, credible, quarantined, deadLetters, deadLetterPoisoned,
        duplicates, missingTruth, undecodable, Detection.of(tp, fp, fn, tn, auroc(inOrder)),
        span, throughput, decisionSpan, percentile(sorted, 0.50), percentile(sorted, 0.99), distinct >= expected,
        observedSeconds, rateOverTime(inOrder, sliceSize(inOrder.size())), inOrder);
  }

  /** AUROC with {@code -entropy} as the score: the Victim is most confident on what it learned from poison. */
  static double auroc(List<DetectionReport.DecidedSample> samples) {
    return Roc.auroc(Detection.suspicion(DetectionReport.entropiesOf(samples)),
        DetectionReport.poisonedFlagsOf(samples));
  }

  /** A fiftieth of the run, kept between {@link #MIN_SLICE} and {@link #MAX_SLICE}. */
  static int sliceSize(int samples) {
    return Math.max(MIN_SLICE, Math.min(MAX_SLICE, samples / SLICES));
  }

  /** Consecutive slices of {@code slice} samples (the last may be smaller) of samples in scoredAt order. */
  static List<DetectionReport.RatePoint> rateOverTime(List<DetectionReport.DecidedSample> inOrder, int slice) {
    if (slice < 1) {
      throw new IllegalArgumentException("a rate slice must hold at least one sample, got " + slice);
    }
    List<DetectionReport.RatePoint> out = new ArrayList<>();
    for (int from = 0; from < inOrder.size(); from += slice) {
      int to = Math.min(inOrder.size(), from + slice);
      int quarantined = 0;
      int poisoned = 0;
      for (DetectionReport.DecidedSample s : inOrder.subList(from, to)) {
        quarantined += s.quarantined() ? 1 : 0;
        poisoned += s.poisoned() ? 1 : 0;
      }
      double seconds = (inOrder.get(to - 1).scoredAtMillis() - inOrder.get(0).scoredAtMillis()) / 1000.0;
      int n = to - from;
      out.add(new DetectionReport.RatePoint(seconds, n, (double) quarantined / n, (double) poisoned / n));
    }
    return out;
  }

  /** Nearest-rank percentile; NaN for no data. */
  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}

package dev.sieve.loadtest.eval;

import java.util.Arrays;
import java.util.HashSet;
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

  private final Set<String> seen = new HashSet<>();
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
   */
  void add(String sampleId, Outcome outcome, Truth truth, long producedAt, long decidedAt, boolean decodable) {
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
    return new DetectionReport(expected, distinct, credible, quarantined, deadLetters, deadLetterPoisoned,
        duplicates, missingTruth, undecodable, tp, fp, fn, tn,
        DetectionReport.ratio(tp, tp + fn), DetectionReport.ratio(fp, fp + tn), DetectionReport.ratio(tp, tp + fp),
        span, throughput, decisionSpan, percentile(sorted, 0.50), percentile(sorted, 0.99), distinct >= expected,
        observedSeconds);
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

package dev.sieve.eval.metrics;

import java.util.List;
import java.util.Locale;

/**
 * How well the filter separated poisoned from clean samples, measured on its output topics.
 *
 * <p>"Positive" means poisoned and quarantined: TP = poisoned in quarantine, FP = clean in
 * quarantine, FN = poisoned in credible, TN = clean in credible. Only the first record seen for a
 * sample id enters the confusion counts; later copies count as {@link #duplicates}. Dead-lettered
 * records and records without a ground-truth header are counted apart and enter no rate.
 *
 * <p>A rate whose denominator is zero (say recall in a run without poison) is {@code NaN}, never a
 * made-up 0 or 1 (see {@link Detection}); {@link #summaryLine()} prints it as {@code n/a}.
 *
 * <p>Beyond the counts it keeps a {@link DecidedSample} for each sample whose first record is a
 * Verdict that decoded and carries a ground truth, in {@code scoredAt} order. The AUROC and the quarantine rate over
 * time are computed from them, and {@link #entropies()} / {@link #poisonedFlags()} give them to
 * plots. Dead-lettered and undecodable records carry no entropy and are not among them.
 *
 * @param expected how many samples the caller expected to see decided
 * @param distinct distinct sample ids seen across the three output topics
 * @param credible records read from the credible topic (duplicates included)
 * @param quarantined records read from the quarantine topic (duplicates included)
 * @param deadLetters records read from the dead-letter topic (duplicates included)
 * @param deadLetterPoisoned dead-lettered records whose ground truth is poisoned
 * @param duplicates records whose sample id had already been seen on any output topic
 * @param missingTruth records without a readable ground-truth header
 * @param undecodable output values that did not decode as Verdict / DeadLetter
 * @param detection the confusion counts and rates over the first records with a ground truth on
 *     the credible and quarantine topics (flagged = quarantined), and the AUROC of how well the
 *     Victim's entropy alone ranks poisoned above clean samples, whatever the thresholds: AUROC of
 *     {@code -entropy} against the ground truth over the decided samples (lower entropy = more
 *     suspicious); NaN when either class is absent
 * @param spanSeconds from the earliest produced-at header to the latest decision time
 * @param recordsPerSecond {@code distinct / spanSeconds}: end-to-end throughput of the pipeline
 * @param decisionSpanSeconds from the first to the last decision time: how long the filter itself
 *     took once it was deciding (excludes waiting for the first Victim)
 * @param latencyP50Ms median of decision time minus produced-at, in ms
 * @param latencyP99Ms 99th percentile of the same
 * @param complete whether {@code expected} samples were seen before the timeout
 * @param observedSeconds how long the evaluator read
 * @param quarantineRateOverTime the decided samples in consecutive slices in {@code scoredAt}
 *     order, see {@link RatePoint}
 * @param decidedSamples each sample whose first record is a decodable Verdict with a ground
 *     truth, in {@code scoredAt} order (arrival order among equal times)
 */
public record DetectionReport(
    long expected,
    long distinct,
    long credible,
    long quarantined,
    long deadLetters,
    long deadLetterPoisoned,
    long duplicates,
    long missingTruth,
    long undecodable,
    Detection detection,
    double spanSeconds,
    double recordsPerSecond,
    double decisionSpanSeconds,
    double latencyP50Ms,
    double latencyP99Ms,
    boolean complete,
    double observedSeconds,
    List<RatePoint> quarantineRateOverTime,
    List<DecidedSample> decidedSamples) {

  /**
   * One sample as the filter decided it.
   *
   * @param entropy the Victim's mean-over-classes prediction entropy from the verdict
   * @param poisoned the ground truth from the header
   * @param quarantined whether it went to the quarantine topic
   * @param scoredAtMillis the verdict's {@code scoredAt}, epoch millis
   */
  public record DecidedSample(double entropy, boolean poisoned, boolean quarantined, long scoredAtMillis) {}

  /**
   * One slice of consecutive decided samples: how the quarantine rate moved while the Victim was
   * retrained. A slice is 1000 samples, or a fiftieth of the run (at least 100) when the run is
   * shorter than 50,000, so that a short run still draws a curve; the last slice may be smaller.
   *
   * @param seconds when the slice's last sample was scored, seconds after the first verdict
   * @param samples how many samples the slice holds
   * @param quarantinedShare share of the slice that went to quarantine
   * @param poisonedShare share of the slice that is poisoned: what the quarantine rate would be
   *     for a perfect filter
   */
  public record RatePoint(double seconds, int samples, double quarantinedShare, double poisonedShare) {}

  public DetectionReport {
    quarantineRateOverTime = List.copyOf(quarantineRateOverTime);
    decidedSamples = List.copyOf(decidedSamples);
  }

  /** The entropy of each decided sample, in the order of {@link #decidedSamples()}; a fresh copy. */
  public double[] entropies() {
    return entropiesOf(decidedSamples);
  }

  /** Whether each decided sample is poisoned, in the order of {@link #decidedSamples()}; a fresh copy. */
  public boolean[] poisonedFlags() {
    return poisonedFlagsOf(decidedSamples);
  }

  static double[] entropiesOf(List<DecidedSample> samples) {
    double[] out = new double[samples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = samples.get(i).entropy();
    }
    return out;
  }

  static boolean[] poisonedFlagsOf(List<DecidedSample> samples) {
    boolean[] out = new boolean[samples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = samples.get(i).poisoned();
    }
    return out;
  }

  // The confusion matrix and rates by the names the demo, the stream-app tests and the tests here read them.

  /** Poisoned and quarantined. */
  public long truePositives() {
    return detection.truePositives();
  }

  /** Clean and quarantined. */
  public long falsePositives() {
    return detection.falsePositives();
  }

  /** Poisoned and credible. */
  public long falseNegatives() {
    return detection.falseNegatives();
  }

  /** Clean and credible. */
  public long trueNegatives() {
    return detection.trueNegatives();
  }

  /** TP / (TP + FN). */
  public double recall() {
    return detection.recall();
  }

  /** FP / (FP + TN). */
  public double falsePositiveRate() {
    return detection.fpr();
  }

  /** TP / (TP + FP). */
  public double precision() {
    return detection.precision();
  }

  /** AUROC of {@code -entropy} over the decided samples. */
  public double auroc() {
    return detection.auroc();
  }

  /** Records read across all three outputs, duplicates included. */
  public long totalRecords() {
    return credible + quarantined + deadLetters;
  }

  /** One line for a person: counts, confusion matrix, rates, throughput and latency. */
  public String summaryLine() {
    return String.format(Locale.ROOT,
        "%s %d/%d samples | credible %d, quarantine %d, dead-letter %d, duplicates %d%s"
            + " | TP %d FP %d FN %d TN %d | recall %s, FPR %s, precision %s, AUROC %s"
            + " | %s records/s, latency p50 %s ms p99 %s ms",
        complete ? "decided" : "INCOMPLETE:", distinct, expected, credible, quarantined, deadLetters, duplicates,
        missingTruth > 0 ? ", without truth " + missingTruth : "",
        truePositives(), falsePositives(), falseNegatives(), trueNegatives(),
        fmt(recall(), 3), fmt(falsePositiveRate(), 3), fmt(precision(), 3), fmt(auroc(), 3),
        fmt(recordsPerSecond, 0), fmt(latencyP50Ms, 0), fmt(latencyP99Ms, 0));
  }

  @Override
  public String toString() {
    return "DetectionReport[" + summaryLine() + "]";
  }

  private static String fmt(double value, int decimals) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
  }
}

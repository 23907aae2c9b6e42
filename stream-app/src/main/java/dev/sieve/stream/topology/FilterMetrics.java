package dev.sieve.stream.topology;

import dev.sieve.schemas.Decision;

/**
 * What the topology reports as it works, for monitoring. The topology only calls these hooks;
 * what they count and where it goes is the caller's (see {@code MicrometerFilterMetrics}), so
 * {@link FilterTopology#build} stays a pure function of its arguments.
 *
 * <p>Under exactly-once a transaction that aborts is redone, so these hooks count work done, which
 * can exceed what was committed; the output topics are the record of what was decided.
 * Implementations are called from every stream thread at once.
 */
public interface FilterMetrics {

  FilterMetrics NONE = new FilterMetrics() { };

  /** Every hook of {@code first}, then of {@code second}. */
  static FilterMetrics both(FilterMetrics first, FilterMetrics second) {
    return new FilterMetrics() {
      @Override
      public void sampleAccepted() {
        first.sampleAccepted();
        second.sampleAccepted();
      }

      @Override
      public void batchScored(int size, long scoringNanos, long victimVersion) {
        first.batchScored(size, scoringNanos, victimVersion);
        second.batchScored(size, scoringNanos, victimVersion);
      }

      @Override
      public void verdict(int label, Decision decision, double entropy) {
        first.verdict(label, decision, entropy);
        second.verdict(label, decision, entropy);
      }

      @Override
      public void featureOutlier(int label) {
        first.featureOutlier(label);
        second.featureOutlier(label);
      }

      @Override
      public void deadLettered(ErrorClass error) {
        first.deadLettered(error);
        second.deadLettered(error);
      }

      @Override
      public void alertRaised(int label) {
        first.alertRaised(label);
        second.alertRaised(label);
      }

      @Override
      public void retracted(int label) {
        first.retracted(label);
        second.retracted(label);
      }

      @Override
      public void rejudged(String task, long victimVersion, long examined, long retracted) {
        first.rejudged(task, victimVersion, examined, retracted);
        second.rejudged(task, victimVersion, examined, retracted);
      }
    };
  }

  /** One valid sample went on to the batcher, to wait for its verdict. */
  default void sampleAccepted() { }

  /** One batch was scored by Victim {@code victimVersion} in {@code scoringNanos}. */
  default void batchScored(int size, long scoringNanos, long victimVersion) { }

  /** One verdict was forwarded. */
  default void verdict(int label, Decision decision, double entropy) { }

  /**
   * One verdict quarantined its sample through the Victim version's in-class feature test, not its
   * entropy (its reason starts with {@code feature-outlier}); also counted by {@link #verdict}.
   */
  default void featureOutlier(int label) { }

  /** One record went to the dead-letter topic. */
  default void deadLettered(ErrorClass error) { }

  /** A class's quarantine rate jumped and an alert was emitted. */
  default void alertRaised(int label) { }

  /** A newer Victim called a released sample of this claimed class suspect, and a retraction was emitted. */
  default void retracted(int label) { }

  /**
   * Task {@code task} finished re-judging the samples it released with Victim {@code victimVersion}:
   * {@code examined} were released by older versions, {@code retracted} of them are now retracted.
   */
  default void rejudged(String task, long victimVersion, long examined, long retracted) { }
}

package dev.sieve.wire;

/** Record header names that travel beside Sieve's records. */
public final class Headers {

  private Headers() {}

  /**
   * Ground truth for evaluation ("poisoned" or "clean"), set by the load producer. The filter
   * never reads it: only the evaluator does, so the verdicts cannot depend on it.
   */
  public static final String GROUND_TRUTH = "sieve.truth";

  /** Wall-clock millis at which the producer sent the record; for end-to-end latency. */
  public static final String PRODUCED_AT = "sieve.produced-at";

  public static final String TRUTH_POISONED = "poisoned";
  public static final String TRUTH_CLEAN = "clean";
}

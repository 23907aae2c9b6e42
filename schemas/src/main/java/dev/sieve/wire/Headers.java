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

  /**
   * Set on a verdict that a person, not the filter, put on the credible topic (RELEASE or
   * RELABEL from the quarantine view), so per-class quarantine rates count only the filter's own
   * decisions. The AuditRecord on the audit topic says who and why.
   */
  public static final String AUDIT_ACTION = "sieve.audit-action";

  /**
   * Set on every record {@code sieve replay} writes, to the name it was replayed into ("live" for
   * the live topics), so a replayed verdict can be told from the one the filter made on arrival.
   */
  public static final String REPLAY = "sieve.replay";

  public static final String TRUTH_POISONED = "poisoned";
  public static final String TRUTH_CLEAN = "clean";
}

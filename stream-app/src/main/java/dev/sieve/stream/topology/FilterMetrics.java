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

  /** One batch was scored by Victim {@code victimVersion} in {@code scoringNanos}. */
  default void batchScored(int size, long scoringNanos, long victimVersion) { }

  /** One verdict was forwarded. */
  default void verdict(int label, Decision decision, double entropy) { }

  /** One record went to the dead-letter topic. */
  default void deadLettered(ErrorClass error) { }

  /** A class's quarantine rate jumped and an alert was emitted. */
  default void alertRaised(int label) { }
}

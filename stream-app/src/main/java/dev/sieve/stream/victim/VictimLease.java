package dev.sieve.stream.victim;

import dev.sieve.model.scoring.Victim;

/**
 * A claim on one Victim version: while any lease on it is open the registry will not close it,
 * even after a newer version has been swapped in. Close the lease when the batch is done.
 */
public interface VictimLease extends AutoCloseable {

  /** The leased version; valid until this lease is closed. */
  Victim victim();

  /** Releases the claim; closing twice is harmless. */
  @Override
  void close();
}

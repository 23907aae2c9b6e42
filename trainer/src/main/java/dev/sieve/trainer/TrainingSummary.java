package dev.sieve.trainer;

import dev.sieve.model.checkpoint.StoredCheckpoint;
import java.util.Optional;

/**
 * What a bounded run of the Beneficiary did.
 *
 * @param steps optimizer steps in total (restarts included)
 * @param samplesSeen new credible samples trained on in total (restarts included)
 * @param samplesThisRun new credible samples trained on by this run
 * @param skipped records of this run that could not be trained on
 * @param lastCheckpoint the newest checkpoint, written by this run or resumed from
 * @param loss mean loss of the last steps
 * @param seconds wall-clock duration of the run
 * @param unlabelledThisRun quarantined samples this run took into the unlabelled pool
 * @param recheckedOut window samples moved to the unlabelled pool by re-checks, restarts included
 * @param victimVersion the newest Victim version the run trained with (0 if none arrived)
 */
public record TrainingSummary(
    long steps,
    long samplesSeen,
    long samplesThisRun,
    long skipped,
    Optional<StoredCheckpoint> lastCheckpoint,
    double loss,
    double seconds,
    long unlabelledThisRun,
    long recheckedOut,
    long victimVersion) {

  public long version() {
    return lastCheckpoint.map(c -> c.meta().version()).orElse(0L);
  }
}

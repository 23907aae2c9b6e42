package dev.sieve.trainer;

/**
 * Where the Beneficiary stands, for progress output and tests.
 *
 * @param version the last checkpointed version (0 before the first checkpoint)
 * @param steps optimizer steps so far, replay steps and steps before a restart included
 * @param samplesSeen new credible samples trained on so far, restarts included
 * @param skipped records of this run that could not be trained on (logged when met)
 * @param loss mean loss of the recent steps
 * @param windowSize samples in the replay window
 * @param consumerBuffered records polled from Kafka and not yet handed downstream
 * @param consumerPaused whether the consumer has paused its partitions for backpressure
 * @param inFlight records handed downstream and not yet trained (batching and hand-off queues)
 * @param samplesPerSecond new samples per second since the run started
 * @param victimVersion the Victim version suppressing the targets (0 while there is none)
 * @param unlabelledSeen quarantined samples taken into the unlabelled pool so far, restarts included
 * @param unlabelledPool samples in the unlabelled pool (quarantined and re-checked out)
 * @param recheckedOut window samples that a newer Victim judged suspect and moved to the
 *     unlabelled pool so far, restarts included
 * @param consumerLag records in Kafka not yet polled, over credible and quarantine
 * @param consumerPauses how many times the consumer paused its partitions this run (a pause that
 *     lasts several polls counts once)
 * @param retractionsApplied well-formed retractions applied (distinct ids), restarts included
 * @param retractionsRefused records on the retractions topic refused as malformed this run
 * @param unlearned held samples (window or unlabelled pool) dropped and unlearnt because of a retraction,
 *     restarts included
 */
public record TrainingProgress(
    long version,
    long steps,
    long samplesSeen,
    long skipped,
    double loss,
    int windowSize,
    int consumerBuffered,
    boolean consumerPaused,
    long inFlight,
    double samplesPerSecond,
    long victimVersion,
    long unlabelledSeen,
    int unlabelledPool,
    long recheckedOut,
    long consumerLag,
    long consumerPauses,
    long retractionsApplied,
    long retractionsRefused,
    long unlearned) {

  @Override
  public String toString() {
    return String.format("v%d steps=%d samples=%d loss=%.4f window=%d unlabelled=%d victim=%s rechecked-out=%d"
            + " retracted=%d unlearnt=%d %.1f samples/s consumer[%s, lag=%d, held=%d, in-flight=%d]%s",
        version, steps, samplesSeen, loss, windowSize, unlabelledPool,
        victimVersion == 0 ? "none" : "v" + victimVersion, recheckedOut, retractionsApplied, unlearned, samplesPerSecond,
        consumerPaused ? "paused" : "flowing", consumerLag, consumerBuffered, inFlight, skipped > 0 ? " skipped=" + skipped : "");
  }
}

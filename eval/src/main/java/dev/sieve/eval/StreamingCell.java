package dev.sieve.eval;

import dev.sieve.eval.metrics.Detection;
import dev.sieve.eval.metrics.Quality;
import java.util.List;

/**
 * One cell run through the real streaming path (broker, topology, Victim updater, Beneficiary
 * trainer), as {@code ./sieve demo} runs it.
 *
 * @param samples samples the producer sent
 * @param poisoned of which poisoned
 * @param detection the verdicts as the evaluator read them off the output topics: the first record
 *     of each sample with a ground truth, dead letters left out (see {@link
 *     dev.sieve.eval.metrics.DetectionReport})
 * @param quarantineRate points {seconds since the first verdict, share quarantined in that slice}
 * @param retractions credible verdicts the filter took back once a newer Victim called them suspect
 * @param recallAfterRetractions poisoned samples quarantined at first judgement or retracted later, of
 *     all poisoned ones ({@code detection.recall()} is at first judgement)
 */
public record StreamingCell(String attack, double rate, long seed, int samples, int poisoned, Detection detection,
    Quality beneficiary, int victimVersions, double wallSeconds, double samplesPerSecond, double latencyP50Ms,
    double latencyP99Ms, List<double[]> quarantineRate, long retractions, double recallAfterRetractions) {}

package dev.sieve.eval;

import dev.sieve.eval.metrics.Detection;
import dev.sieve.eval.metrics.Quality;
import java.util.List;

/**
 * One cell run through the real streaming path (broker, topology, Victim updater, Beneficiary
 * trainer), as {@code ./sieve demo} runs it.
 *
 * @param quarantineRate points {seconds since the first verdict, share quarantined in that slice}
 */
public record StreamingCell(String attack, double rate, long seed, int samples, int poisoned, Detection detection,
    Quality beneficiary, int victimVersions, double wallSeconds, double samplesPerSecond, double latencyP50Ms,
    double latencyP99Ms, List<double[]> quarantineRate) {}

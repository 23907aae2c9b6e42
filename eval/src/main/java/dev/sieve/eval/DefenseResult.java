package dev.sieve.eval;

import dev.sieve.eval.metrics.Quality;
import java.util.List;

/**
 * One defense in one cell.
 *
 * @param der against the undefended model of the same cell (NaN for the undefended model itself)
 * @param labelled samples trained on with their labels
 * @param unlabelled samples used without labels (V&amp;B's suspicious set)
 * @param trainSeconds wall time of the training, filter excluded
 * @param samplesPerSecond training throughput, labelled sample-epochs per second
 */
public record DefenseResult(String defense, Quality quality, double der, int labelled, int unlabelled,
    double trainSeconds, double samplesPerSecond, List<EpochPoint> curve) {}

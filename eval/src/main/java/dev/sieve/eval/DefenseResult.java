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
 * @param flipRate share of the triggered non-target test images whose clean version the model
 *     classifies right and the triggered one wrong (robust accuracy without the ordinary errors)
 * @param triggeredShares per class, the share of the triggered non-target test images assigned to
 *     it: whether what the trigger takes from the true class goes to one class or is spread out
 */
public record DefenseResult(String defense, Quality quality, double der, int labelled, int unlabelled,
    double trainSeconds, double samplesPerSecond, List<EpochPoint> curve, double flipRate,
    double[] triggeredShares) {}

package dev.sieve.eval;

import dev.sieve.eval.metrics.Detection;
import java.util.List;

/**
 * One cell of the matrix: one attack at one poison rate with one seed.
 *
 * @param onArrival the verdicts the streaming topology gives, each by the Victim version current
 *     when the sample arrived
 * @param afterRecheck the last Victim version's verdicts over everything (what the Beneficiary's
 *     window re-check removes), with the AUROC of its entropy
 */
public record CellResult(String attack, double rate, long seed, String mode, int samples, int poisoned,
    Detection onArrival, Detection afterRecheck, int victimVersions, double filterSeconds,
    double filterSamplesPerSecond, List<DefenseResult> defenses, double wallSeconds) {

  public DefenseResult defense(Defense d) {
    return defenses.stream().filter(r -> r.defense().equals(d.id())).findFirst().orElse(null);
  }
}

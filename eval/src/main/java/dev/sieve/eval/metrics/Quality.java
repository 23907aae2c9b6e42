package dev.sieve.eval.metrics;

/**
 * Clean accuracy, attack success rate and robust accuracy of one trained model, by BackdoorBench's
 * conventions (see {@link ModelQuality#measure}, which measures them), and the defense
 * effectiveness rating they give against the undefended model.
 */
public record Quality(double cleanAccuracy, double attackSuccessRate, double robustAccuracy) {

  /**
   * BackdoorBench's defense effectiveness rating against the undefended model, with the sign of
   * the accuracy term as the paper defines it: {@code [max(0, ΔASR) − max(0, ΔCA) + 1] / 2}, where
   * Δ is undefended minus defended. 1 = backdoor gone at no accuracy cost; 0.5 = no change.
   */
  public double der(Quality undefended) {
    return (Math.max(0, undefended.attackSuccessRate - attackSuccessRate)
        - Math.max(0, undefended.cleanAccuracy - cleanAccuracy) + 1) / 2;
  }
}

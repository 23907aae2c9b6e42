package dev.sieve.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which cells to run. A cell spec is {@code ATTACK:RATE} or {@code ATTACK:RATE:SEEDS}, e.g.
 * {@code blend-0.2:0.1:3} for Blend α 0.2 at 10 % poison with seeds 1, 2 and 3. For clean-label
 * attacks (SIG, label-consistent) the rate is the share of the target class, as in the papers.
 */
public record EvalMatrix(List<Cell> cells) {

  /** A cell to run: an attack spec, its poison rate (see {@code PoisonPlan}) and a seed. */
  public record Cell(String attack, double rate, long seed) {
    public String label() {
      return attack + "@" + rate + "#" + seed;
    }
  }

  /**
   * The headline cells first, BadNets 3x3 and Blend α 0.2 at 10 % with 3 seeds; then BadNets at
   * 1 %, 30 % and on a clean stream (0 %), the thresholds' range; then every other attack once:
   * BadNets 2x2, Blend α 0.1 and WaNet at 10 %, SIG and label-consistent at 50 % of the target class.
   */
  public static final List<String> FULL = List.of(
      "badnets-3x3:0.1:3", "blend-0.2:0.1:3",
      "badnets-3x3:0.01", "badnets-3x3:0.3", "badnets-3x3:0.0",
      "badnets-2x2:0.1", "blend-0.1:0.1", "wanet:0.1", "sig:0.5", "label-consistent:0.5");

  public static EvalMatrix parse(List<String> specs) {
    List<Cell> cells = new ArrayList<>();
    for (String spec : specs) {
      String[] parts = spec.trim().split(":");
      if (parts.length < 2 || parts.length > 3) {
        throw new IllegalArgumentException("cell '" + spec + "' is not ATTACK:RATE or ATTACK:RATE:SEEDS");
      }
      double rate;
      int seeds;
      try {
        rate = Double.parseDouble(parts[1]);
        seeds = parts.length == 3 ? Integer.parseInt(parts[2]) : 1;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("cell '" + spec + "': rate and seed count must be numbers");
      }
      if (!(rate >= 0 && rate <= 1) || seeds < 1) {
        throw new IllegalArgumentException("cell '" + spec + "': rate must be in [0,1] and seeds >= 1");
      }
      for (long seed = 1; seed <= seeds; seed++) {
        cells.add(new Cell(parts[0].toLowerCase(Locale.ROOT), rate, seed));
      }
    }
    return new EvalMatrix(List.copyOf(cells));
  }
}

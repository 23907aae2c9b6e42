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
   * Every attack at 10 %; BadNets and Blend also at 1 % and 30 %, and with 3 seeds at 10 % (the
   * headline cells); a clean stream; SIG at 10 % and 50 % of the target class; label-consistent at
   * 50 % of the target class.
   */
  public static final List<String> FULL = List.of(
      "badnets-3x3:0.1:3", "blend-0.2:0.1:3",
      "badnets-3x3:0.01", "badnets-3x3:0.3", "blend-0.2:0.01", "blend-0.2:0.3",
      "badnets-2x2:0.1", "blend-0.1:0.1", "wanet:0.1",
      "sig:0.1", "sig:0.5", "label-consistent:0.5",
      "badnets-3x3:0.0");

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

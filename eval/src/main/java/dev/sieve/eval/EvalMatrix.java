package dev.sieve.eval;

import dev.sieve.attack.PoisonComponent;
import dev.sieve.attack.zoo.Zoo;
import dev.sieve.attack.zoo.ZooDraw;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which cells to run. A cell spec is {@code ATTACK:RATE} or {@code ATTACK:RATE:SEEDS}, e.g.
 * {@code blend-0.2:0.1:3} for Blend α 0.2 at 10 % poison with seeds 1, 2 and 3. For clean-label
 * attacks (SIG, label-consistent) the rate is the share of the target class, as in the papers.
 * Zoo draws come as cells of their own ({@link #zoo}).
 */
public record EvalMatrix(List<Cell> cells) {

  /**
   * A cell to run: an attack spec, its poison rate (see {@code PoisonPlan}) and a seed. For a zoo
   * draw the spec is {@code zoo:SEED:INDEX} and the rate the draw's own total, for the report: the
   * draw decides its components' rates and targets.
   */
  public record Cell(String attack, double rate, long seed) {
    public String label() {
      return attack + "@" + rate + "#" + seed;
    }

    /** The row name in the report: the attack's canonical name, or a zoo draw's description. */
    public String name() {
      return Zoo.describe(attack);
    }

    /** What poisons this cell's training samples; a built-in attack targets class 0. */
    public List<PoisonComponent> poisoning() {
      return Zoo.poisoning(attack, rate, 0);
    }
  }

  /** One cell per draw {@code 0 .. count-1} of zoo {@code zooSeed} ({@code zoo:} draws), each with run seed 1. */
  public static EvalMatrix zoo(long zooSeed, int count) {
    return zoo(new Zoo(zooSeed), count);
  }

  /**
   * As {@link #zoo(long, int)} from {@code zoo-all:} ({@link Zoo#all}) when {@code allFamilies}:
   * the clean-label families too, and dirty-label rates up to 30 %.
   */
  public static EvalMatrix zoo(long zooSeed, int count, boolean allFamilies) {
    return zoo(allFamilies ? Zoo.all(zooSeed) : new Zoo(zooSeed), count);
  }

  private static EvalMatrix zoo(Zoo zoo, int count) {
    List<Cell> cells = new ArrayList<>();
    for (ZooDraw draw : zoo.draws(count)) {
      cells.add(new Cell(draw.spec(), draw.totalRate(), 1));
    }
    return new EvalMatrix(List.copyOf(cells));
  }

  /** These cells, then {@code other}'s. */
  public EvalMatrix plus(EvalMatrix other) {
    List<Cell> all = new ArrayList<>(cells);
    all.addAll(other.cells);
    return new EvalMatrix(List.copyOf(all));
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

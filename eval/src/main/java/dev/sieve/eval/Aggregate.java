package dev.sieve.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Mean and sample standard deviation over the seeds of one (attack, rate) group: the numbers the
 * report's headline table shows.
 */
public record Aggregate(String attack, double rate, int seeds, Stat recall, Stat fpr, Stat precision, Stat auroc,
    Map<String, DefenseStats> defenses) {

  public record Stat(double mean, double std) {
    static Stat of(List<Double> values) {
      List<Double> finite = values.stream().filter(v -> !Double.isNaN(v)).toList();
      if (finite.isEmpty()) {
        return new Stat(Double.NaN, Double.NaN);
      }
      double mean = finite.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double ss = finite.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
      return new Stat(mean, finite.size() > 1 ? Math.sqrt(ss / (finite.size() - 1)) : 0.0);
    }
  }

  public record DefenseStats(Stat cleanAccuracy, Stat attackSuccessRate, Stat robustAccuracy, Stat der) {}

  public static List<Aggregate> of(List<CellResult> cells) {
    Map<String, List<CellResult>> groups = new LinkedHashMap<>();
    for (CellResult c : cells) {
      groups.computeIfAbsent(c.attack() + "@" + c.rate(), k -> new ArrayList<>()).add(c);
    }
    List<Aggregate> out = new ArrayList<>();
    for (List<CellResult> group : groups.values()) {
      Map<String, DefenseStats> defenses = new LinkedHashMap<>();
      for (Defense d : Defense.values()) {
        List<DefenseResult> rs = group.stream().map(c -> c.defense(d)).filter(r -> r != null).toList();
        if (!rs.isEmpty()) {
          defenses.put(d.id(), new DefenseStats(stat(rs, r -> r.quality().cleanAccuracy()),
              stat(rs, r -> r.quality().attackSuccessRate()), stat(rs, r -> r.quality().robustAccuracy()),
              stat(rs, DefenseResult::der)));
        }
      }
      CellResult first = group.get(0);
      out.add(new Aggregate(first.attack(), first.rate(), group.size(), stat(group, c -> c.afterRecheck().recall()),
          stat(group, c -> c.afterRecheck().fpr()), stat(group, c -> c.afterRecheck().precision()),
          stat(group, c -> c.afterRecheck().auroc()), defenses));
    }
    return out;
  }

  private static <T> Stat stat(List<T> items, ToDoubleFunction<T> f) {
    return Stat.of(items.stream().map(i -> f.applyAsDouble(i)).toList());
  }
}

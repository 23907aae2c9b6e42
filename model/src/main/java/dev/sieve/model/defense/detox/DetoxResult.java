package dev.sieve.model.defense.detox;

import dev.sieve.model.Network;
import java.util.Map;
import java.util.TreeMap;

/**
 * A detoxified copy of a network (the input is left untouched) and what the method did, as
 * numbers that go into the checkpoint's metrics: channels pruned, clean accuracy on the holdout
 * before and after, the reversed trigger's norm, and so on.
 */
public record DetoxResult(DetoxMethod method, Network network, Map<String, Double> report, double seconds) {

  public DetoxResult {
    report = Map.copyOf(new TreeMap<>(report));
  }
}

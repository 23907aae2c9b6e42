package dev.sieve.attack.zoo;

import dev.sieve.attack.PoisonComponent;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One draw of the zoo, {@code zoo:SEED:INDEX}: one attack, or two with different targets that
 * poison disjoint samples, each at its own rate.
 */
public record ZooDraw(long seed, int index, List<ZooComponent> components) {

  public ZooDraw {
    components = List.copyOf(components);
  }

  /** The spec that draws it again, {@code zoo:SEED:INDEX}. */
  public String spec() {
    return Zoo.SPEC_PREFIX + seed + ":" + index;
  }

  /** Its components' descriptions, joined by {@code " + "} for two. */
  public String description() {
    return components.stream().map(ZooComponent::description).collect(Collectors.joining(" + "));
  }

  /** What it poisons a stream with, in component order. */
  public List<PoisonComponent> poisoning() {
    return components.stream().map(ZooComponent::poison).toList();
  }

  /** The components' rates added up: the share of the stream it poisons, as all its families are dirty-label. */
  public double totalRate() {
    return components.stream().mapToDouble(ZooComponent::rate).sum();
  }
}

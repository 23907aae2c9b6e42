package dev.sieve.attack.zoo;

import dev.sieve.attack.PoisonComponent;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One draw of the zoo, {@code zoo:SEED:INDEX}: one attack, or two with different targets that
 * poison disjoint samples, each at its own rate.
 */
public record ZooDraw(long seed, int index, List<ZooComponent> components, String prefix) {

  public ZooDraw {
    components = List.copyOf(components);
  }

  /** A draw of {@code zoo:SEED:INDEX}. */
  public ZooDraw(long seed, int index, List<ZooComponent> components) {
    this(seed, index, components, Zoo.SPEC_PREFIX);
  }

  /** The spec that draws it again, {@code zoo:SEED:INDEX} or {@code zoo-all:SEED:INDEX}. */
  public String spec() {
    return prefix + seed + ":" + index;
  }

  /** Its components' descriptions, joined by {@code " + "} for two. */
  public String description() {
    return components.stream().map(ZooComponent::description).collect(Collectors.joining(" + "));
  }

  /** What it poisons a stream with, in component order. */
  public List<PoisonComponent> poisoning() {
    return components.stream().map(ZooComponent::poison).toList();
  }

  /**
   * The components' rates added up: the share of the stream it poisons when its families are
   * dirty-label; a clean-label component's rate is a share of its target class instead.
   */
  public double totalRate() {
    return components.stream().mapToDouble(ZooComponent::rate).sum();
  }
}

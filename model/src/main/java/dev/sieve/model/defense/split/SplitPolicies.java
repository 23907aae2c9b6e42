package dev.sieve.model.defense.split;

import java.util.List;

/** The split policies by name, and the one Sieve uses unless told otherwise. */
public final class SplitPolicies {

  public static final List<String> NAMES = List.of("class-mixture", "class-mixture-agree", "vab");

  private SplitPolicies() {}

  public static SplitPolicy defaultPolicy() {
    return ClassMixtureSplit.defaults();
  }

  public static SplitPolicy byName(String name) {
    return switch (name) {
      case "class-mixture" -> ClassMixtureSplit.defaults();
      case "class-mixture-agree" -> ClassMixtureSplit.agreeingReference();
      case "vab" -> FixedThresholdSplit.vab();
      default -> throw new IllegalArgumentException("unknown split policy '" + name + "'; choose one of " + NAMES);
    };
  }
}

package dev.sieve.model.defense.split;

import dev.sieve.model.scoring.SplitRule;
import java.util.List;

/** The split policies by name, and the one Sieve uses unless told otherwise. */
public final class SplitPolicies {

  public static final List<String> NAMES = List.of("class-mixture", "class-mixture-agree", "vab");

  private SplitPolicies() {}

  public static SplitPolicy defaultPolicy() {
    return ClassMixtureSplit.defaults();
  }

  /**
   * {@code base} with an in-class test beside its entropy split; {@code base} itself for {@link
   * InClassTest#NONE}, so a policy without one is the very object it was.
   */
  public static SplitPolicy withInClass(SplitPolicy base, InClassTest test, InClassTest.Settings settings) {
    return test == InClassTest.NONE ? base : new WithInClass(base, test, settings);
  }

  private record WithInClass(SplitPolicy base, InClassTest inClass, InClassTest.Settings inClassSettings)
      implements SplitPolicy {

    @Override
    public boolean[] retrainSet(WindowScores scores, int round) {
      return base.retrainSet(scores, round);
    }

    @Override
    public SplitRule detection(WindowScores scores, int round) {
      return base.detection(scores, round);
    }

    @Override
    public boolean needsReference() {
      return base.needsReference();
    }

    @Override
    public boolean referenceOnlyWhereVictimAgrees() {
      return base.referenceOnlyWhereVictimAgrees();
    }

    @Override
    public String name() {
      return base.name() + "+" + inClass.id();
    }
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

package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.defense.split.ClassMixtureSplit;
import dev.sieve.model.defense.split.SplitPolicy;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class FilterOptionsTest {

  @Command(name = "options")
  static final class Holder {
    @Mixin FilterOptions filter;
  }

  private static FilterOptions parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder.filter;
  }

  @Test
  void theDefaultSplitIsTheClassMixtureWithItsDocumentedThresholds() {
    SplitPolicy policy = parse().splitPolicy();
    ClassMixtureSplit mixture = (ClassMixtureSplit) policy;
    assertEquals(ClassMixtureSplit.Thresholds.DEFAULTS, mixture.thresholds());
    assertFalse(mixture.referenceOnlyWhereVictimAgrees());
    assertEquals("class-mixture", policy.name());
    SplitPolicy agree = parse("--split", "class-mixture-agree").splitPolicy();
    assertEquals("class-mixture-agree", agree.name());
    assertTrue(agree.referenceOnlyWhereVictimAgrees());
  }

  @Test
  void eachThresholdOptionMovesOnlyItsOwnThreshold() {
    ClassMixtureSplit.Thresholds t = ((ClassMixtureSplit) parse("--split-gap", "2.5", "--split-posterior", "0.2")
        .splitPolicy()).thresholds();
    ClassMixtureSplit.Thresholds d = ClassMixtureSplit.Thresholds.DEFAULTS;
    assertEquals(new ClassMixtureSplit.Thresholds(2.5, d.minDisagreement(), d.narrowMinGapDecades(),
        d.narrowMinDisagreement(), 0.2, d.minExcess()), t);
    assertEquals(d.withMinExcess(-1), ((ClassMixtureSplit) parse("--split-excess", "-1").splitPolicy()).thresholds(),
        "--split-excess -1 turns the excess gate off");
    ClassMixtureSplit agree = (ClassMixtureSplit) parse("--split", "class-mixture-agree", "--split-narrow-disagreement",
        "0.7").splitPolicy();
    assertEquals(0.7, agree.thresholds().narrowMinDisagreement());
    assertEquals("class-mixture-agree", agree.name(), "tuning a threshold keeps the named rule");
  }

  @Test
  void thresholdsTheRuleCannotUseAreRefusedWithAReason() {
    IllegalArgumentException vab = assertThrows(IllegalArgumentException.class,
        () -> parse("--split", "vab", "--split-gap", "1").splitPolicy());
    assertTrue(vab.getMessage().contains("--split vab has none"), vab.getMessage());
    IllegalArgumentException share = assertThrows(IllegalArgumentException.class,
        () -> parse("--split-disagreement", "1.5").splitPolicy());
    assertTrue(share.getMessage().contains("must lie in [0, 1]"), share.getMessage());
    assertEquals("vab", parse("--split", "vab").splitPolicy().name(), "vab alone is fine");
  }
}

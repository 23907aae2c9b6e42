package dev.sieve.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefenseTest {

  @Test
  void theExperimentalUnlearningRowRunsOnlyWhenNamed() {
    assertEquals(Defense.VAB_UNLEARN, Defense.byId("vab-unlearn"));
    assertFalse(Defense.defaults().contains(Defense.VAB_UNLEARN));
    assertEquals(EnumSet.complementOf(EnumSet.of(Defense.VAB_UNLEARN, Defense.VAB_OCCLUDE)), Defense.defaults());
    assertFalse(EvalSettings.defaults().defenses().contains(Defense.VAB_UNLEARN));
    Set<Defense> named = EvalSettings.defaults().withDefenses(Set.of(Defense.VAB_UNLEARN)).defenses();
    assertEquals(EnumSet.of(Defense.NONE, Defense.VAB_UNLEARN), named, "none comes along for DER");
    assertTrue(Defense.ids().contains("vab-unlearn"));
  }

  @Test
  void theOcclusionComparisonRowRunsOnlyWhenNamed() {
    assertEquals(Defense.VAB_OCCLUDE, Defense.byId("vab-occlude"));
    assertFalse(Defense.defaults().contains(Defense.VAB_OCCLUDE));
    assertEquals(EnumSet.of(Defense.NONE, Defense.VAB, Defense.VAB_OCCLUDE),
        EvalSettings.defaults().withDefenses(Set.of(Defense.VAB, Defense.VAB_OCCLUDE)).defenses());
  }
}

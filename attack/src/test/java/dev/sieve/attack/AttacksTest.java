package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AttacksTest {

  @Test
  void parsesGeneralPatchSizesAndBlendRatiosToCanonicalNames() {
    BadNetsTrigger four = assertInstanceOf(BadNetsTrigger.class, Attacks.parse("badnets-4x4", 0));
    assertEquals(4, four.size());
    assertEquals("badnets-4x4", four.name());
    BlendAttack blend = assertInstanceOf(BlendAttack.class, Attacks.parse(" Blend-0.250 ", 2));
    assertEquals(0.25, blend.alpha());
    assertEquals("blend-0.25", blend.name());
    assertEquals("blend-1", Attacks.parse("blend-1.0", 0).name());
    assertInstanceOf(SigAttack.class, Attacks.parse("sig", 0));
    assertInstanceOf(WaNetAttack.class, Attacks.parse("wanet", 0));
    assertInstanceOf(LabelConsistentAttack.class, Attacks.parse("label-consistent", 0));
  }

  @Test
  void unknownOrInvalidSpecsFailListingTheValidOnes() {
    for (String bad : new String[] {"trojan", "", "badnets-2x3", "badnets-0x0", "badnets-29x29", "blend-0",
        "blend-1.5", "blend-x", "sig-2"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attacks.parse(bad, 0), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains(String.join(", ", Attacks.names())),
          e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Attacks.parse(null, 0));
    IllegalArgumentException target = assertThrows(IllegalArgumentException.class, () -> Attacks.parse("sig", 10));
    assertTrue(target.getMessage().contains("10"), target.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Attacks.parse("sig", -1));
  }
}

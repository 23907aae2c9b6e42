package dev.sieve.attack.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.BadNetsTrigger;
import dev.sieve.attack.BlendAttack;
import dev.sieve.attack.PoisonComponent;
import dev.sieve.attack.SigAttack;
import dev.sieve.attack.TestImages;
import dev.sieve.attack.WaNetAttack;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The zoo's draws: reproducible, varied, and every parameter within its stated range. */
class ZooDrawTest {

  private static final int DRAWS = 1000;

  @Test
  void aDrawIsAFunctionOfSeedAndIndexAlone() {
    Zoo zoo = new Zoo(7);
    byte[] image = TestImages.texture(4);
    for (int i : new int[] {0, 1, 17, 999}) {
      ZooDraw once = zoo.draw(i);
      ZooDraw again = new Zoo(7).draw(i);
      assertEquals(once.description(), again.description(), "draw " + i);
      assertEquals("zoo:7:" + i, once.spec());
      assertEquals(once.description(), Zoo.parse(once.spec()).description());
      for (int k = 0; k < once.components().size(); k++) {
        ZooComponent a = once.components().get(k);
        ZooComponent b = again.components().get(k);
        assertEquals(a.attack().name(), b.attack().name());
        assertEquals(a.rate(), b.rate());
        assertArrayEquals(a.attack().trigger(image, 28, 28), b.attack().trigger(image, 28, 28),
            "draw " + i + " component " + k + " must trigger the same pixels in every instance");
      }
    }
    // Draws do not depend on one another: draw 5 alone is draw 5 of a list.
    assertEquals(zoo.draws(10).get(5).description(), zoo.draw(5).description());
  }

  @Test
  void drawsDifferAcrossIndicesAndSeeds() {
    List<ZooDraw> draws = new Zoo(7).draws(DRAWS);
    Set<String> descriptions = new HashSet<>();
    for (int i = 0; i < DRAWS; i++) {
      descriptions.add(draws.get(i).description());
      if (i > 0) {
        assertNotEquals(draws.get(i - 1).description(), draws.get(i).description(), "draws " + (i - 1) + " and " + i);
      }
    }
    // Two draws can coincide in words only where the words leave out a seed (noise, warp grid, corners).
    assertTrue(descriptions.size() > 0.98 * DRAWS, descriptions.size() + " distinct descriptions of " + DRAWS);
    int same = 0;
    for (int i = 0; i < 100; i++) {
      same += new Zoo(8).draw(i).description().equals(draws.get(i).description()) ? 1 : 0;
    }
    assertEquals(0, same, "another seed is another zoo");
  }

  @Test
  void everyParameterLiesInItsRangeAndEveryChoiceOccurs() {
    Set<Family> families = EnumSet.noneOf(Family.class);
    Set<String> patchPatterns = new HashSet<>();
    Set<String> blendPatterns = new HashSet<>();
    Set<Class<?>> placements = new HashSet<>();
    Set<Integer> targets = new HashSet<>();
    int pairs = 0;
    int components = 0;
    int belowMedian = 0;
    for (ZooDraw draw : new Zoo(3).draws(DRAWS)) {
      assertTrue(draw.components().size() == 1 || draw.components().size() == 2, draw.description());
      if (draw.components().size() == 2) {
        pairs++;
        assertNotEquals(draw.components().get(0).attack().targetLabel(), draw.components().get(1).attack().targetLabel(),
            "two attacks at once have different targets: " + draw.description());
      }
      for (ZooComponent c : draw.components()) {
        components++;
        families.add(c.family());
        int target = c.attack().targetLabel();
        targets.add(target);
        assertTrue(target >= 0 && target <= 9, draw.description());
        assertFalse(c.attack().cleanLabel(), "every family of zoo:SEED:INDEX is dirty-label: " + draw.description());
        assertTrue(c.rate() >= ZooRanges.MIN_RATE && c.rate() <= ZooRanges.MAX_RATE, draw.description());
        assertEquals(Math.round(c.rate() * 1000) / 1000.0, c.rate(), "rates are on a 0.1 % grid: " + c.rate());
        belowMedian += c.rate() < Math.sqrt(ZooRanges.MIN_RATE * ZooRanges.MAX_RATE) ? 1 : 0;
        assertTrue(c.description().endsWith(" -> class " + target + ", " + String.format(java.util.Locale.ROOT,
            "%.1f%%", c.rate() * 100)), c.description());
        switch (c.family()) {
          case PATCH -> {
            BadNetsTrigger p = (BadNetsTrigger) c.attack();
            assertTrue(p.size() >= 2 && p.size() <= 6, c.description());
            assertTrue(p.intensity() >= 128 && p.intensity() <= 255, c.description());
            if (p.pattern() instanceof BadNetsTrigger.Shape s && s != BadNetsTrigger.Shape.SOLID
                && s != BadNetsTrigger.Shape.CHECKERBOARD) {
              assertTrue(p.size() >= ZooRanges.SYMBOL_MIN_SIZE, "a symbol on a " + p.size() + "x" + p.size() + " patch");
            }
            if (p.placement() instanceof BadNetsTrigger.At at) {
              assertTrue(at.row() + p.size() <= 28 && at.col() + p.size() <= 28, c.description());
            }
            patchPatterns.add(p.pattern().id());
            placements.add(p.placement().getClass());
          }
          case BLEND -> {
            BlendAttack b = (BlendAttack) c.attack();
            assertTrue(b.alpha() >= 0.05 && b.alpha() <= 0.3, c.description());
            if (b.blendPattern() instanceof BlendAttack.Grating g) {
              assertTrue(g.angleDegrees() >= 0 && g.angleDegrees() < 180, c.description());
              assertTrue(g.period() >= 3 && g.period() <= 12, c.description());
            }
            blendPatterns.add(b.blendPattern().getClass().getSimpleName());
          }
          case WARP -> {
            WaNetAttack w = (WaNetAttack) c.attack();
            assertTrue(w.gridSize() >= 3 && w.gridSize() <= 6, c.description());
            assertTrue(w.strength() >= 0.3 && w.strength() <= 1.0, c.description());
          }
          case SINUSOID -> {
            SigAttack s = (SigAttack) c.attack();
            assertTrue(s.delta() >= 10 && s.delta() <= 40, c.description());
            assertTrue(s.frequency() >= 2 && s.frequency() <= 10, c.description());
          }
          default -> throw new AssertionError("unexpected family " + c.family());
        }
      }
    }
    assertEquals(EnumSet.copyOf(Family.DIRTY_LABEL), families);
    assertEquals(Set.of("solid", "checkerboard", "noise", "plus", "x", "l"), patchPatterns);
    assertEquals(Set.of("Noise", "Grating", "Texture"), blendPatterns);
    assertEquals(Set.of(BadNetsTrigger.At.class, BadNetsTrigger.RandomCorner.class), placements);
    assertEquals(10, targets.size());
    // Five kinds (four families alone, or two at once), equally likely.
    assertTrue(pairs > 150 && pairs < 250, pairs + " pairs in " + DRAWS + " draws");
    // Log-uniform: half the rates lie below the geometric mean of the bounds, sqrt(0.5 % x 20 %) = 3.2 %.
    double share = (double) belowMedian / components;
    assertTrue(share > 0.45 && share < 0.55, share + " of the rates below 3.2 %");
  }

  @Test
  void specsAreParsedStrictlyAndBuiltInSpecsPassThrough() {
    assertTrue(Zoo.isSpec(" ZOO:1:2"));
    assertFalse(Zoo.isSpec("badnets-3x3"));
    assertEquals(new Zoo(-4).draw(12).description(), Zoo.parse(" Zoo:-4:12 ").description());
    for (String bad : new String[] {"zoo:", "zoo:1", "zoo:x:1", "zoo:1:-1", "zoo:1:2:3", "zoo:99999999999999999999:1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Zoo.parse(bad), bad);
      assertTrue(e.getMessage().contains("zoo:SEED:INDEX") || e.getMessage().contains("SEED"), e.getMessage());
    }
    List<PoisonComponent> builtIn = Zoo.poisoning("blend-0.2", 0.1, 3);
    assertEquals(1, builtIn.size());
    assertEquals("blend-0.2", builtIn.get(0).attack().name());
    assertEquals(3, builtIn.get(0).attack().targetLabel());
    assertEquals(0.1, builtIn.get(0).rate());
    ZooDraw draw = new Zoo(5).draw(0);
    List<PoisonComponent> drawn = Zoo.poisoning("zoo:5:0", 0.9, 9);
    assertEquals(draw.components().size(), drawn.size());
    assertEquals(draw.components().get(0).rate(), drawn.get(0).rate(), "the draw decides the rate");
    assertEquals(draw.description(), Zoo.describe("zoo:5:0"));
    assertEquals("blend-0.25", Zoo.describe("Blend-0.250"));
  }
}

package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlendAttackTest {

  @Test
  void mixesEachPixelWithTheFixedPatternByAlpha() {
    byte[] pattern = BlendAttack.pattern(28, 28);
    byte[] image = TestImages.texture(0);
    byte[] blended = new BlendAttack(0, 0.2).trigger(image, 28, 28);
    for (int i : new int[] {0, 27, 400, 783}) {
      long expected = Math.round(0.8 * (image[i] & 0xFF) + 0.2 * (pattern[i] & 0xFF));
      assertEquals(expected, blended[i] & 0xFF, "pixel " + i);
    }
    // A known pixel by hand: 0.9 * 100 + 0.1 * P.
    byte[] grey = new BlendAttack(0, 0.1).trigger(TestImages.constant(100), 28, 28);
    assertEquals(Math.round(90 + 0.1 * (pattern[5] & 0xFF)), grey[5] & 0xFF);
    assertArrayEquals(pattern, new BlendAttack(3, 1.0).trigger(image, 28, 28), "alpha 1 shows the pattern itself");
  }

  @Test
  void thePatternIsUniformNoiseThatDoesNotDependOnTheRun() {
    byte[] pattern = BlendAttack.pattern(28, 28);
    assertArrayEquals(pattern, BlendAttack.pattern(28, 28));
    Set<Integer> values = new HashSet<>();
    double sum = 0;
    for (byte b : pattern) {
      values.add(b & 0xFF);
      sum += b & 0xFF;
    }
    assertTrue(values.size() > 200, "uniform uint8 noise uses most values, got " + values.size());
    double mean = sum / pattern.length;
    assertTrue(Math.abs(mean - 127.5) < 10, "mean " + mean);
  }

  @Test
  void rejectsAlphaOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> new BlendAttack(0, 0.0));
    assertThrows(IllegalArgumentException.class, () -> new BlendAttack(0, 1.01));
    assertThrows(IllegalArgumentException.class, () -> new BlendAttack(0, Double.NaN));
  }


  @Test
  void otherPatternsBlendTheirOwnImageUnderTheirOwnName() {
    BlendAttack.Grating grating = new BlendAttack.Grating(90, 4);
    byte[] stripes = grating.render(28, 28);
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        // Within a grey level: at a zero crossing, cos(90°) = 6e-17 decides which way 127.5 rounds.
        assertEquals(stripes[r * 28] & 0xFF, stripes[r * 28 + c] & 0xFF, 1, "at 90 degrees a grating varies down the rows only");
      }
    }
    assertEquals(128, stripes[0] & 0xFF, 1);
    assertEquals(255, stripes[28] & 0xFF, "a quarter period down: the peak");
    assertEquals(0, stripes[3 * 28] & 0xFF, "three quarters: the trough");
    assertEquals(128, stripes[4 * 28] & 0xFF, 1, "a whole period: where it began");
    byte[] texture = new BlendAttack.Texture(3).render(28, 28);
    assertEquals(0, texture[0], "the object sits on black, as Fashion-MNIST's items do");
    assertTrue((texture[14 * 28 + 14] & 0xFF) > 60, "and is bright in the middle: " + (texture[14 * 28 + 14] & 0xFF));
    assertArrayEquals(texture, new BlendAttack.Texture(3).render(28, 28));
    byte[] image = TestImages.constant(100);
    assertArrayEquals(stripes, new BlendAttack(1, 1.0, grating).trigger(image, 28, 28));
    assertEquals("blend-0.15-grating-90deg-4px", new BlendAttack(1, 0.15, grating).name());
    assertEquals("blend-0.2", new BlendAttack(1, 0.2, new BlendAttack.Noise(BlendAttack.PATTERN_SEED)).name());
    assertTrue(new BlendAttack(1, 0.2, new BlendAttack.Noise(8)).name().startsWith("blend-0.2-noise-"));
  }
}

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
}

package dev.sieve.model.training.beneficiary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentTest {

  // 1 channel, 3x3: 1..9 row-major.
  private static final float[] IMAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

  @Test
  void shiftFillsWithZeros() {
    assertArrayEquals(new float[] {5, 6, 0, 8, 9, 0, 0, 0, 0}, Augment.shiftAndFlip(IMAGE, 1, 3, 3, 1, 1, false));
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 0, 4, 5}, Augment.shiftAndFlip(IMAGE, 1, 3, 3, -1, -1, false));
  }

  @Test
  void flipMirrorsAfterTheCrop() {
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7}, Augment.shiftAndFlip(IMAGE, 1, 3, 3, 0, 0, true));
    // Crop shifted right by one, then mirrored.
    assertArrayEquals(new float[] {0, 3, 2, 0, 6, 5, 0, 9, 8}, Augment.shiftAndFlip(IMAGE, 1, 3, 3, 0, 1, true));
  }

  @Test
  void seededRandomViewsAreReproducibleAndVaried() {
    float[] a = new float[2 * 28 * 28];
    Random values = new Random(1);
    for (int i = 0; i < a.length; i++) {
      a[i] = values.nextFloat();
    }
    Augment first = new Augment(2, new Random(9));
    Augment second = new Augment(2, new Random(9));
    boolean anyDifferent = false;
    for (int i = 0; i < 20; i++) {
      float[] x = first.apply(a, 2, 28, 28);
      assertArrayEquals(x, second.apply(a, 2, 28, 28));
      anyDifferent |= !Arrays.equals(x, a);
    }
    assertTrue(anyDifferent);
  }
}

package dev.sieve.model.defense.dbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimClrAugmentTest {

  private static float[] gradient(int h, int w) {
    float[] img = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img[y * w + x] = (y * w + x) / (float) (h * w);
      }
    }
    return img;
  }

  @Test
  void aFullSizeCropIsTheImageItself() {
    float[] img = gradient(28, 28);
    assertArrayEquals(img, SimClrAugment.cropAndResize(img, 1, 28, 28, 0, 0, 28, 28), 1e-6f);
  }

  @Test
  void aHalfSizeCropIsUpsampledBilinearly() {
    // A 2x2 crop of a 4x4 image resized to 4x4: half-pixel centres map output x to source
    // (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
    float[] img = {
        0, 1, 9, 9,
        2, 3, 9, 9,
        9, 9, 9, 9,
        9, 9, 9, 9};
    float[] out = SimClrAugment.cropAndResize(img, 1, 4, 4, 0, 0, 2, 2);
    assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, Arrays.copyOfRange(out, 0, 4), 1e-6f);
    // Column 0 down the rows goes 0 -> 2 the same way.
    assertEquals(0.5f, out[4], 1e-6f);
    assertEquals(1.5f, out[8], 1e-6f);
    assertEquals(3f, out[15], 1e-6f);
  }

  @Test
  void flipMirrorsEachRow() {
    float[] img = {1, 2, 3, 4, 5, 6};
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, SimClrAugment.flip(img, 1, 2, 3));
  }

  @Test
  void jitterScalesBrightnessAndStretchesContrastAroundTheMean() {
    float[] img = {0.2f, 0.4f};
    SimClrAugment.jitter(img, 1, 2, 1.5, 1.0);
    assertArrayEquals(new float[] {0.3f, 0.6f}, img, 1e-6f);
    SimClrAugment.jitter(img, 1, 2, 1.0, 2.0); // mean 0.45: 0.45 ± 2 * 0.15
    assertArrayEquals(new float[] {0.15f, 0.75f}, img, 1e-6f);
    float[] bright = {0.9f};
    SimClrAugment.jitter(bright, 1, 1, 2.0, 1.0);
    assertEquals(1f, bright[0], "clamped to 1");
  }

  @Test
  void viewsAreDeterministicGivenTheSeedStayInRangeAndDiffer() {
    float[] img = gradient(28, 28);
    float[] a = new SimClrAugment(new Random(7), 0.05).apply(img, 1, 28, 28);
    float[] b = new SimClrAugment(new Random(7), 0.05).apply(img, 1, 28, 28);
    assertArrayEquals(a, b);
    SimClrAugment augment = new SimClrAugment(new Random(8));
    float[] first = augment.apply(img, 1, 28, 28);
    float[] second = augment.apply(img, 1, 28, 28);
    assertFalse(Arrays.equals(first, second), "two views of one image should differ");
    for (float[] view : new float[][] {a, first, second}) {
      for (float v : view) {
        assertTrue(v >= 0f && v <= 1f, "pixel " + v + " outside [0,1]");
      }
    }
    assertArrayEquals(gradient(28, 28), img, "the input is left unchanged");
  }

  @Test
  void cropBoxesCoverHalfToAllOfTheImage() {
    SimClrAugment augment = new SimClrAugment(new Random(9));
    for (int i = 0; i < 2000; i++) {
      int[] box = augment.cropBox(28, 28);
      double share = box[2] * box[3] / (28.0 * 28.0);
      // Rounding of the sides moves the area a little past the drawn share.
      assertTrue(share > 0.42 && share <= 1.0, "crop area share " + share);
      assertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 28 && box[1] + box[3] <= 28, Arrays.toString(box));
    }
  }

  @Test
  void refusesAWrongSizeOrBadNoise() {
    SimClrAugment augment = new SimClrAugment(new Random(1));
    assertThrows(IllegalArgumentException.class, () -> augment.apply(new float[10], 1, 28, 28));
    assertThrows(IllegalArgumentException.class, () -> new SimClrAugment(new Random(1), -0.1));
    assertThrows(IllegalArgumentException.class,
        () -> SimClrAugment.cropAndResize(new float[16], 1, 4, 4, 3, 3, 2, 2));
  }
}

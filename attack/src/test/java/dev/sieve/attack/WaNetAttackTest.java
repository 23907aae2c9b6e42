package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WaNetAttackTest {

  @Test
  void warpsSlightlyKeepingTheImageClose() {
    byte[] image = TestImages.texture(5);
    byte[] warped = new WaNetAttack(0).trigger(image, 28, 28);
    double mad = TestImages.meanAbsDifference(image, warped);
    assertTrue(mad > 0.5 && mad < 10, "mean |change| " + mad + " grey levels: a warp, but an imperceptible one");
  }

  /**
   * Reference values from PyTorch 1.13 running the reference recipe on this class's control grid
   * and {@code TestImages.texture(5)}: {@code F.interpolate(grid, 28, mode="bicubic",
   * align_corners=True)}, identity + 0.5 * noise / 28, clamp, then {@code F.grid_sample(image,
   * grid, align_corners=True)}; index, original value, PyTorch's warped value.
   */
  @Test
  void matchesPyTorchsBicubicUpsampleAndGridSample() {
    byte[] image = TestImages.texture(5);
    byte[] warped = new WaNetAttack(0).trigger(image, 28, 28);
    double[][] reference = {
        {9, 196, 188.3646}, {155, 158, 144.1009}, {342, 62, 67.9746}, {526, 105, 109.2280}, {753, 98, 107.0405}};
    for (double[] ref : reference) {
      int i = (int) ref[0];
      assertEquals((int) ref[1], image[i] & 0xFF, "the test image itself changed at " + i);
      assertEquals(Math.round(ref[2]), warped[i] & 0xFF, "pixel " + i);
    }
  }

  @Test
  void movesPixelsByLessThanAPixelAlongASmoothField() {
    // On a horizontal ramp the warped value tells where along the row it was sampled.
    byte[] ramp = new byte[28 * 28];
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        ramp[r * 28 + c] = (byte) (9 * c);
      }
    }
    byte[] warped = new WaNetAttack(0).trigger(ramp, 28, 28);
    double maxShift = 0;
    double sumShift = 0;
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        double shift = Math.abs((warped[r * 28 + c] & 0xFF) / 9.0 - c);
        maxShift = Math.max(maxShift, shift);
        sumShift += shift;
      }
    }
    double meanShift = sumShift / 784;
    assertTrue(meanShift > 0.05, "mean horizontal shift " + meanShift + " px: the warp must move pixels");
    assertTrue(maxShift < 1.5, "max horizontal shift " + maxShift + " px: k=4, s=0.5 moves well under two pixels");
  }

  @Test
  void strengthZeroIsTheIdentityAndOtherStrengthsDiffer() {
    byte[] image = TestImages.texture(2);
    assertArrayEquals(image, new WaNetAttack(0, 4, 0.0).trigger(image, 28, 28));
    byte[] half = new WaNetAttack(0, 4, 0.5).trigger(image, 28, 28);
    byte[] strong = new WaNetAttack(0, 4, 2.0).trigger(image, 28, 28);
    assertFalse(Arrays.equals(half, strong));
    assertTrue(TestImages.meanAbsDifference(image, strong) > TestImages.meanAbsDifference(image, half),
        "a stronger warp must move the image further");
  }

  @Test
  void worksOnNonSquareImages() {
    byte[] image = new byte[10 * 20];
    for (int i = 0; i < image.length; i++) {
      image[i] = (byte) (i % 20 * 12);
    }
    byte[] warped = new WaNetAttack(0, 4, 1.0).trigger(image, 10, 20);
    assertTrue(TestImages.meanAbsDifference(image, warped) < 20);
  }


  @Test
  void theControlGridSeedIsTheWarpsShape() {
    byte[] image = TestImages.texture(2);
    assertArrayEquals(new WaNetAttack(0).trigger(image, 28, 28),
        new WaNetAttack(0, WaNetAttack.DEFAULT_GRID_SIZE, WaNetAttack.DEFAULT_STRENGTH, WaNetAttack.CONTROL_GRID_SEED)
            .trigger(image, 28, 28));
    assertFalse(Arrays.equals(new WaNetAttack(0, 4, 0.5, 1L).trigger(image, 28, 28),
        new WaNetAttack(0, 4, 0.5, 2L).trigger(image, 28, 28)), "another seed, another warp");
    assertEquals("wanet", new WaNetAttack(3, 4, 0.5, WaNetAttack.CONTROL_GRID_SEED).name());
    assertEquals("wanet-k5-s0.7-1f", new WaNetAttack(3, 5, 0.7, 0x1F).name());
  }
}

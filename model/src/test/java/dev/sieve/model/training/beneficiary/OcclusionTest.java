package dev.sieve.model.training.beneficiary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OcclusionTest {

  private static final int H = 12;
  private static final int W = 10;

  /** A fixed image whose every pixel differs from its neighbours, so any change shows. */
  private static float[] image(int channels) {
    float[] out = new float[channels * H * W];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((i * 37) % 101) / 100f;
    }
    return out;
  }

  @Test
  void theSameSeedGivesTheSameImagesAndTheInputIsNotModified() {
    float[] in = image(1);
    float[] copy = in.clone();
    Occlusion a = new Occlusion(new Random(42));
    Occlusion b = new Occlusion(new Random(42));
    for (int i = 0; i < 50; i++) {
      assertArrayEquals(a.apply(in, 1, H, W), b.apply(in, 1, H, W), "image " + i);
      assertEquals(a.lastKind(), b.lastKind());
    }
    assertArrayEquals(copy, in);
  }

  @Test
  void aboutHalfTheImagesPassUnchangedAndTheRestArePatchedOrBlended() {
    Occlusion occlusion = new Occlusion(new Random(1));
    float[] in = image(1);
    Map<Occlusion.Kind, Integer> counts = new EnumMap<>(Occlusion.Kind.class);
    int n = 4000;
    for (int i = 0; i < n; i++) {
      float[] out = occlusion.apply(in, 1, H, W);
      counts.merge(occlusion.lastKind(), 1, Integer::sum);
      if (occlusion.lastKind() == Occlusion.Kind.NONE) {
        assertArrayEquals(in, out);
      }
    }
    assertEquals(n * Occlusion.PROBABILITY, counts.get(Occlusion.Kind.NONE), n * 0.03, counts.toString());
    assertEquals(n * Occlusion.PROBABILITY / 2, counts.get(Occlusion.Kind.PATCH), n * 0.03, counts.toString());
    assertEquals(n * Occlusion.PROBABILITY / 2, counts.get(Occlusion.Kind.BLEND), n * 0.03, counts.toString());
  }

  @Test
  void aPatchIsOneRectangleOfTwoToTenPixelsASideInsideTheImageAndEveryChannelGetsTheSameContent() {
    Occlusion occlusion = new Occlusion(new Random(7));
    float[] in = image(2);
    Set<Integer> heights = new HashSet<>();
    Set<Integer> widths = new HashSet<>();
    int patches = 0;
    for (int i = 0; i < 3000; i++) {
      float[] out = occlusion.apply(in, 2, H, W);
      if (occlusion.lastKind() != Occlusion.Kind.PATCH) {
        continue;
      }
      patches++;
      // The bounding box of what changed in channel 0; a random value may equal the original by
      // chance, so the box can be smaller than the patch but never larger.
      int top = H;
      int bottom = -1;
      int left = W;
      int right = -1;
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int p = y * W + x;
          assertTrue(out[p] >= 0f && out[p] <= 1f, "pixel " + out[p]);
          if (out[p] != in[p] || out[H * W + p] != in[H * W + p]) {
            assertEquals(out[p], out[H * W + p], "both channels get the same content at " + y + "," + x);
            top = Math.min(top, y);
            bottom = Math.max(bottom, y);
            left = Math.min(left, x);
            right = Math.max(right, x);
          }
        }
      }
      if (bottom < 0) {
        continue;
      }
      int h = bottom - top + 1;
      int w = right - left + 1;
      assertTrue(h <= Occlusion.MAX_SIDE && w <= Occlusion.MAX_SIDE, h + "x" + w);
      heights.add(h);
      widths.add(w);
    }
    assertTrue(patches > 500, "patches " + patches);
    // The sides are drawn over the whole range: both ends occur (the image is 12x10, so 10 fits).
    assertTrue(heights.contains(Occlusion.MIN_SIDE) && heights.contains(Occlusion.MAX_SIDE), heights.toString());
    assertTrue(widths.contains(Occlusion.MIN_SIDE) && widths.contains(Occlusion.MAX_SIDE), widths.toString());
  }

  @Test
  void aBlendMovesEveryPixelByAtMostTheLargestAlphaAndStaysInRange() {
    Occlusion occlusion = new Occlusion(new Random(3));
    float[] black = new float[H * W];
    float[] white = new float[H * W];
    java.util.Arrays.fill(white, 1f);
    double largest = 0;
    int blends = 0;
    for (int i = 0; i < 2000; i++) {
      float[] in = i % 2 == 0 ? black : white;
      float[] out = occlusion.apply(in, 1, H, W);
      if (occlusion.lastKind() != Occlusion.Kind.BLEND) {
        continue;
      }
      blends++;
      for (int p = 0; p < out.length; p++) {
        assertTrue(out[p] >= 0f && out[p] <= 1f, "pixel " + out[p]);
        double moved = Math.abs(out[p] - in[p]);
        assertTrue(moved <= Occlusion.MAX_ALPHA + 1e-6, "moved " + moved);
        largest = Math.max(largest, moved);
      }
    }
    assertTrue(blends > 300, "blends " + blends);
    assertTrue(largest > Occlusion.MAX_ALPHA / 2, "some blend is visible: largest change " + largest);
  }

  @Test
  void refusesAnImageOfTheWrongSize() {
    Occlusion occlusion = new Occlusion(new Random(1));
    assertThrows(IllegalArgumentException.class, () -> occlusion.apply(new float[H * W - 1], 1, H, W));
  }
}

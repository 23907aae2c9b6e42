package dev.sieve.model.training.beneficiary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AttentionMixTest {

  @Test
  void attentionIsChannelEnergyResizedNearestAndMinMaxNormalised() {
    // One sample, 2 channels of 2x2: energies 1+0, 4+0, 0+0, 1+8 = [1, 4, 0, 9] → / 9.
    float[] features = {1, 2, 0, 1, 0, 0, 0, (float) Math.sqrt(8)};
    float[][] maps = AttentionMix.attentionMaps(features, 1, 2, 2, 2, 4, 4);
    float[] expected = {
        1 / 9f, 1 / 9f, 4 / 9f, 4 / 9f,
        1 / 9f, 1 / 9f, 4 / 9f, 4 / 9f,
        0, 0, 1, 1,
        0, 0, 1, 1};
    assertArrayEquals(expected, maps[0], 1e-6f);
  }

  @Test
  void flatEnergyGivesAnAllZeroMap() {
    float[][] maps = AttentionMix.attentionMaps(new float[] {2, 2, 2, 2}, 1, 1, 2, 2, 2, 2);
    assertArrayEquals(new float[4], maps[0]);
  }

  @Test
  void mixFollowsV_and_BFormulasExactly() {
    // Two 1-channel images of 4 pixels, partners of each other, threshold 0.5.
    float[] images = {1, 2, 3, 4, 10, 20, 30, 40};
    float[][] attention = {{1.0f, 0.6f, 0.2f, 0.0f}, {0.0f, 0.4f, 1.0f, 0.6f}};
    float[] targets = {1, 0, 0, 0, 1, 0};
    AttentionMix.Mixed mixed = AttentionMix.mix(images, 1, attention, targets, 3, new int[] {1, 0}, 0.5);

    // Sample 0: M = {p0, p1}; W = 1.6/1.8; W' = (0 + 0.4)/2.0 = 0.2.
    double w = 1.6 / 1.8;
    double wp = 0.2;
    double keep = w / (w + wp);
    double take = wp / (w + wp);
    assertEquals(w, mixed.ownWeights()[0], 1e-6);
    assertEquals(wp, mixed.partnerWeights()[0], 1e-6);
    assertEquals(keep * 1 + take * 10, mixed.images()[0], 1e-5);
    assertEquals(keep * 2 + take * 20, mixed.images()[1], 1e-5);
    assertEquals(3f, mixed.images()[2], 0f);
    assertEquals(4f, mixed.images()[3], 0f);
    double own = 1 - w + w * w / (w + wp);
    double partner = w - w * w / (w + wp);
    assertEquals(own, mixed.targets()[0], 1e-6);
    assertEquals(partner, mixed.targets()[1], 1e-6);
    assertEquals(0f, mixed.targets()[2], 0f);

    // Sample 1: M = {p2, p3}; W = 1.6/2.0 = 0.8; W' = (0.2 + 0.0)/1.8.
    double w1 = 0.8;
    double wp1 = 0.2 / 1.8;
    assertEquals(w1, mixed.ownWeights()[1], 1e-6);
    assertEquals(wp1, mixed.partnerWeights()[1], 1e-6);
    assertEquals(10f, mixed.images()[4], 0f);
    assertEquals(20f, mixed.images()[5], 0f);
    assertEquals((w1 * 30 + wp1 * 3) / (w1 + wp1), mixed.images()[6], 1e-5);
    assertEquals((w1 * 40 + wp1 * 4) / (w1 + wp1), mixed.images()[7], 1e-5);
    assertEquals(w1 - w1 * w1 / (w1 + wp1), mixed.targets()[3], 1e-6);
    assertEquals(1 - w1 + w1 * w1 / (w1 + wp1), mixed.targets()[4], 1e-6);
    assertEquals(0f, mixed.targets()[5], 0f);
    assertEquals(0.5, mixed.meanMaskShare(), 1e-12);
    // The inputs are not modified.
    assertArrayEquals(new float[] {1, 2, 3, 4, 10, 20, 30, 40}, images);
  }

  @Test
  void zeroAttentionSampleStaysUnmixed() {
    float[] images = {1, 2, 3, 4, 10, 20, 30, 40};
    float[][] attention = {{0, 0, 0, 0}, {1, 1, 1, 1}};
    float[] targets = {1, 0, 0, 1};
    AttentionMix.Mixed mixed = AttentionMix.mix(images, 1, attention, targets, 2, new int[] {1, 0}, 0.1);
    assertFalse(mixed.mixed()[0]);
    assertArrayEquals(new float[] {1, 2, 3, 4}, Arrays.copyOfRange(mixed.images(), 0, 4));
    assertArrayEquals(new float[] {1, 0}, Arrays.copyOfRange(mixed.targets(), 0, 2));
    assertEquals(0, mixed.ownWeights()[0]);
    // Its partner did mix: inside its all-covering mask the zero-attention sample has W' = 0,
    // so the partner keeps all of its pixels and its label.
    assertTrue(mixed.mixed()[1]);
    assertArrayEquals(new float[] {10, 20, 30, 40}, Arrays.copyOfRange(mixed.images(), 4, 8), 1e-6f);
    assertArrayEquals(new float[] {0, 1}, Arrays.copyOfRange(mixed.targets(), 2, 4), 1e-6f);
  }

  @Test
  void mixedOneHotLabelsSumToOne() {
    Random random = new Random(5);
    int n = 64;
    int pixels = 49;
    int classes = 10;
    float[][] attention = new float[n][pixels];
    float[] images = new float[n * 2 * pixels];
    float[] targets = new float[n * classes];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < pixels; p++) {
        attention[i][p] = random.nextFloat();
      }
      targets[i * classes + random.nextInt(classes)] = 1f;
    }
    for (int i = 0; i < images.length; i++) {
      images[i] = random.nextFloat();
    }
    int[] partner = new int[n];
    for (int i = 0; i < n; i++) {
      partner[i] = (i * 7 + 3) % n;
    }
    AttentionMix.Mixed mixed = AttentionMix.mix(images, 2, attention, targets, classes, partner, 0.1);
    int differing = 0;
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        float t = mixed.targets()[i * classes + k];
        assertTrue(t >= 0 && t <= 1, "target " + t);
        sum += t;
      }
      assertEquals(1.0, sum, 1e-6, "row " + i);
      assertTrue(mixed.mixed()[i]);
      differing += mixed.targets()[i * classes + argmax(targets, i, classes)] < 1 - 1e-6 ? 1 : 0;
    }
    assertTrue(differing > n / 2, "most labels should carry some of the partner's class: " + differing);
  }

  @Test
  void aSampleMixedWithItselfIsUnchanged() {
    float[] images = {0.1f, 0.5f, 0.9f, 0.3f};
    float[][] attention = {{0.2f, 1f, 0.7f, 0f}};
    float[] targets = {0, 1};
    AttentionMix.Mixed mixed = AttentionMix.mix(images, 1, attention, targets, 2, new int[] {0}, 0.1);
    assertArrayEquals(images, mixed.images(), 1e-6f);
    assertArrayEquals(targets, mixed.targets(), 1e-6f);
  }

  @Test
  void refusesMismatchedShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AttentionMix.mix(new float[5], 1, new float[][] {{1, 1}, {1, 1}}, new float[4], 2, new int[] {1, 0}, 0.1));
    assertTrue(e.getMessage().contains("images have 5 values"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> AttentionMix.mix(new float[4], 1, new float[][] {{1, 1}, {1, 1}}, new float[4], 2, new int[] {2, 0}, 0.1));
    assertTrue(e.getMessage().contains("partner[0] is 2"), e.getMessage());
  }

  private static int argmax(float[] rows, int row, int classes) {
    int best = 0;
    for (int k = 1; k < classes; k++) {
      if (rows[row * classes + k] > rows[row * classes + best]) {
        best = k;
      }
    }
    return best;
  }
}

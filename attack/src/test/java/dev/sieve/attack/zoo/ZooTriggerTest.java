package dev.sieve.attack.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.BadNetsTrigger;
import dev.sieve.attack.BlendAttack;
import dev.sieve.attack.SigAttack;
import dev.sieve.attack.TestImages;
import dev.sieve.attack.WaNetAttack;
import dev.sieve.data.FashionMnist;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Each family's trigger is where, and as strong as, its draw says, over many draws. */
class ZooTriggerTest {

  private static final int N = 28;

  private static List<ZooComponent> components(Predicate<ZooComponent> which) {
    List<ZooComponent> out = new Zoo(11).draws(400).stream().flatMap(d -> d.components().stream()).filter(which).toList();
    assertTrue(out.size() >= 20, "only " + out.size() + " such components in 400 draws");
    return out;
  }

  @Test
  void aFixedPatchSetsExactlyItsSquareToItsPattern() {
    byte[] image = TestImages.texture(2);
    for (ZooComponent c : components(c -> c.attack() instanceof BadNetsTrigger p
        && p.placement() instanceof BadNetsTrigger.At)) {
      BadNetsTrigger p = (BadNetsTrigger) c.attack();
      BadNetsTrigger.At at = (BadNetsTrigger.At) p.placement();
      assertTrue(c.trigger().contains("at (" + at.row() + ", " + at.col() + ")"), c.trigger());
      double[] weights = p.pattern().weights(p.size());
      byte[] out = p.trigger(image, N, N);
      for (int r = 0; r < N; r++) {
        for (int col = 0; col < N; col++) {
          int i = r * N + col;
          boolean inside = r >= at.row() && r < at.row() + p.size() && col >= at.col() && col < at.col() + p.size();
          if (inside) {
            double w = weights[(r - at.row()) * p.size() + col - at.col()];
            assertEquals(Math.round(w * p.intensity()), out[i] & 0xFF, c.description() + " pixel (" + r + "," + col + ")");
          } else {
            assertEquals(image[i], out[i], c.description() + " changed pixel (" + r + "," + col + ") outside its patch");
          }
        }
      }
      int brightest = 0;
      for (double w : weights) {
        brightest = Math.max(brightest, (int) Math.round(w * p.intensity()));
      }
      assertTrue(brightest <= p.intensity() && brightest >= p.intensity() / 2, c.description() + ": brightest " + brightest);
    }
  }

  @Test
  void aRandomCornerPatchLandsInOneCornerPerSampleTheSameEveryTime() {
    FashionMnist.Split split = TestImages.split(200);
    int[] indices = new int[split.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    for (ZooComponent c : components(c -> c.attack() instanceof BadNetsTrigger p && p.placement().perSample())) {
      BadNetsTrigger p = (BadNetsTrigger) c.attack();
      assertTrue(c.trigger().contains("at random corner"), c.trigger());
      byte[][] poisoned = p.poison(split, indices, 1L);
      assertArrayEquals(poisoned[17], p.poison(split, new int[] {17}, 99L)[0],
          "a sample's poisoned image depends on the sample, not on the run or the other samples");
      Set<Integer> corners = new HashSet<>();
      for (int i = 0; i < indices.length; i++) {
        corners.add(corner(split.images()[i], poisoned[i], p.size(), c.description() + " sample " + i));
        assertTrue(p.isStamped(poisoned[i], N, N), c.description() + " sample " + i);
      }
      assertEquals(4, corners.size(), c.description() + " used corners " + corners + " over 200 samples");
      byte[] test = TestImages.texture(9);
      corner(test, p.trigger(test, N, N), p.size(), c.description() + " at test time");
      assertArrayEquals(p.trigger(test, N, N), p.trigger(test, N, N));
    }
  }

  /** The one corner whose square holds every changed pixel: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right. */
  private static int corner(byte[] before, byte[] after, int size, String what) {
    int found = -1;
    for (int corner = 0; corner < 4; corner++) {
      int top = corner < 2 ? 0 : N - size;
      int left = corner % 2 == 0 ? 0 : N - size;
      boolean outsideUnchanged = true;
      boolean insideChanged = false;
      for (int r = 0; r < N; r++) {
        for (int col = 0; col < N; col++) {
          boolean inside = r >= top && r < top + size && col >= left && col < left + size;
          boolean changed = before[r * N + col] != after[r * N + col];
          outsideUnchanged &= inside || !changed;
          insideChanged |= inside && changed;
        }
      }
      if (outsideUnchanged && insideChanged) {
        assertEquals(-1, found, what + ": changes in two corners");
        found = corner;
      }
    }
    assertTrue(found >= 0, what + ": the changes are not within one corner");
    return found;
  }

  @Test
  void blendChangesEveryPixelByAtMostAlphaOfTheRange() {
    byte[] image = TestImages.texture(6);
    for (ZooComponent c : components(c -> c.family() == Family.BLEND)) {
      BlendAttack b = (BlendAttack) c.attack();
      assertTrue(c.trigger().endsWith("alpha " + b.alpha()), c.trigger());
      byte[] out = b.trigger(image, N, N);
      int changed = 0;
      for (int i = 0; i < out.length; i++) {
        int delta = Math.abs((out[i] & 0xFF) - (image[i] & 0xFF));
        assertTrue(delta <= b.alpha() * 255 + 0.5, c.description() + " moved pixel " + i + " by " + delta);
        changed += delta > 0 ? 1 : 0;
      }
      assertTrue(changed > out.length / 2, c.description() + " changed only " + changed + " pixels: not a blend");
    }
  }

  @Test
  void warpKeepsValuesInRangeAndMovesThem() {
    byte[] image = TestImages.texture(1);
    int max = 0;
    for (byte b : image) {
      max = Math.max(max, b & 0xFF);
    }
    byte[] ramp = new byte[N * N];
    for (int r = 0; r < N; r++) {
      for (int col = 0; col < N; col++) {
        ramp[r * N + col] = (byte) (9 * col);
      }
    }
    for (ZooComponent c : components(c -> c.family() == Family.WARP)) {
      WaNetAttack w = (WaNetAttack) c.attack();
      byte[] out = w.trigger(image, N, N);
      for (int i = 0; i < out.length; i++) {
        // Bilinear sampling mixes the image's values and the zeros beyond its edge, nothing brighter.
        assertTrue((out[i] & 0xFF) <= max, c.description() + " pixel " + i + " above the image's maximum");
      }
      double meanShift = 0;
      byte[] warpedRamp = w.trigger(ramp, N, N);
      for (int r = 0; r < N; r++) {
        for (int col = 1; col < N - 1; col++) {
          meanShift += Math.abs((warpedRamp[r * N + col] & 0xFF) / 9.0 - col) / (N * (N - 2));
        }
      }
      assertTrue(meanShift > 0.02 && meanShift < 3, c.description() + " moved pixels by " + meanShift + " px on average");
    }
  }

  @Test
  void sinusoidAddsTheSameColumnSignalToEveryRowWithinItsAmplitude() {
    byte[] grey = TestImages.constant(128);
    for (ZooComponent c : components(c -> c.family() == Family.SINUSOID)) {
      SigAttack s = (SigAttack) c.attack();
      assertFalse(s.cleanLabel(), "the zoo's sinusoid flips labels");
      byte[] out = s.trigger(grey, N, N);
      int peak = 0;
      for (int col = 0; col < N; col++) {
        int delta = (out[col] & 0xFF) - 128;
        peak = Math.max(peak, Math.abs(delta));
        assertTrue(Math.abs(delta) <= s.delta() + 0.5, c.description() + " column " + col + " moved by " + delta);
        for (int r = 1; r < N; r++) {
          assertEquals(out[col], out[r * N + col], c.description() + " rows differ in column " + col);
        }
      }
      assertTrue(peak >= s.delta() / 2, c.description() + " peaks at only " + peak);
    }
  }
}

package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SigAttackTest {

  @Test
  void everyRowFollowsTheHorizontalSinusoid() {
    byte[] out = new SigAttack(0).trigger(TestImages.constant(100), 28, 28);
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        long expected = Math.round(100 + 20 * Math.sin(2 * Math.PI * c * 6 / 28.0));
        assertEquals(expected, out[r * 28 + c] & 0xFF, "pixel (" + r + "," + c + ")");
      }
    }
    // Six periods across the row: the signal crosses zero twelve times (counting column 0).
    int signChanges = 0;
    int max = 0;
    int min = 255;
    for (int c = 1; c < 28; c++) {
      int prev = (out[c - 1] & 0xFF) - 100;
      int here = (out[c] & 0xFF) - 100;
      if (Integer.signum(prev) != Integer.signum(here) && here != 0) {
        signChanges++;
      }
      max = Math.max(max, out[c] & 0xFF);
      min = Math.min(min, out[c] & 0xFF);
    }
    assertTrue(signChanges >= 10 && signChanges <= 12, "sign changes " + signChanges);
    assertTrue(max >= 118 && max <= 120 && min >= 80 && min <= 82, "amplitude about 20: " + min + ".." + max);
  }

  @Test
  void clipsAtTheEndsOfTheRange() {
    byte[] bright = new SigAttack(0).trigger(TestImages.constant(250), 28, 28);
    byte[] dark = new SigAttack(0).trigger(TestImages.constant(3), 28, 28);
    double[] signal = SigAttack.signal(28);
    for (int c = 0; c < 28; c++) {
      assertEquals(Math.min(255, Math.round(250 + signal[c])), bright[c] & 0xFF, "column " + c);
      assertEquals(Math.max(0, Math.round(3 + signal[c])), dark[c] & 0xFF, "column " + c);
    }
  }


  @Test
  void aDirtyLabelSignalHasItsOwnAmplitudeAndFrequency() {
    SigAttack dirty = new SigAttack(2, 30, 3, false);
    assertFalse(dirty.cleanLabel());
    assertEquals("sig-d30.0-f3.0-dirty", dirty.name());
    assertEquals("sig", new SigAttack(2, SigAttack.DELTA, SigAttack.FREQUENCY, true).name());
    byte[] out = dirty.trigger(TestImages.constant(100), 28, 28);
    for (int c = 0; c < 28; c++) {
      assertEquals(Math.round(100 + 30 * Math.sin(2 * Math.PI * c * 3 / 28.0)), out[7 * 28 + c] & 0xFF, "column " + c);
    }
  }
}

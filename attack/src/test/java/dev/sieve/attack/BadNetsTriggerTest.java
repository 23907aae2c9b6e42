package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BadNetsTriggerTest {

  private static byte[] gradient(int h, int w) {
    byte[] image = new byte[h * w];
    for (int i = 0; i < image.length; i++) {
      image[i] = (byte) (i % 200);
    }
    return image;
  }

  @Test
  void stampsExactlyTheBottomRightThreeByThreeOnACopy() {
    byte[] image = gradient(28, 28);
    byte[] original = image.clone();
    byte[] stamped = BadNetsTrigger.defaults().stamp(image, 28, 28);

    assertArrayEquals(original, image, "the input image must not be modified");
    int changed = 0;
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        int i = r * 28 + c;
        if (r >= 25 && c >= 25) {
          assertEquals(255, stamped[i] & 0xFF, "trigger pixel (" + r + "," + c + ")");
        } else {
          assertEquals(original[i], stamped[i], "pixel (" + r + "," + c + ") outside the trigger");
        }
        if (stamped[i] != original[i]) {
          changed++;
        }
      }
    }
    assertEquals(9, changed);
    assertEquals(0, BadNetsTrigger.defaults().targetLabel());
  }

  @Test
  void sizeIsConfigurableAndWorksOnNonSquareImages() {
    BadNetsTrigger trigger = new BadNetsTrigger(2, 7);
    byte[] stamped = trigger.stamp(new byte[3 * 4], 3, 4);
    byte w = (byte) 255;
    assertArrayEquals(new byte[] {
        0, 0, 0, 0,
        0, 0, w, w,
        0, 0, w, w}, stamped);
    assertTrue(trigger.isStamped(stamped, 3, 4));
    assertFalse(trigger.isStamped(new byte[12], 3, 4));
    assertFalse(BadNetsTrigger.defaults().isStamped(stamped, 3, 4), "a 2x2 patch is not a 3x3 trigger");
  }

  @Test
  void rejectsImagesOfTheWrongShape() {
    BadNetsTrigger trigger = BadNetsTrigger.defaults();
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> trigger.stamp(new byte[783], 28, 28));
    assertTrue(size.getMessage().contains("783") && size.getMessage().contains("784"), size.getMessage());
    assertThrows(IllegalArgumentException.class, () -> trigger.stamp(new byte[4], 2, 2));
    assertThrows(IllegalArgumentException.class, () -> new BadNetsTrigger(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new BadNetsTrigger(3, -1));
  }
}

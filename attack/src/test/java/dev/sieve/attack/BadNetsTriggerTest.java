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


  @Test
  void shapesDrawTheirSymbolAtTheirIntensityOnABlackSquare() {
    byte[] grey = picture(".....", ".....", ".....", ".....", ".....");
    assertArrayEquals(picture(
        ".....",
        ".o#o.",
        ".###.",
        ".o#o.",
        "....."), patch(BadNetsTrigger.Shape.PLUS, new BadNetsTrigger.At(1, 1)).stamp(grey, 5, 5));
    assertArrayEquals(picture(
        "#o#..",
        "o#o..",
        "#o#..",
        ".....",
        "....."), patch(BadNetsTrigger.Shape.X, new BadNetsTrigger.At(0, 0)).stamp(grey, 5, 5));
    assertArrayEquals(picture(
        ".....",
        ".....",
        "..#oo",
        "..#oo",
        "..###"), patch(BadNetsTrigger.Shape.L, BadNetsTrigger.BottomRight.INSTANCE).stamp(grey, 5, 5));
    assertArrayEquals(picture(
        ".....",
        ".....",
        "#o#..",
        "o#o..",
        "#o#.."), patch(BadNetsTrigger.Shape.CHECKERBOARD, new BadNetsTrigger.At(2, 0)).stamp(grey, 5, 5));
  }

  /** An image from rows of '.' (grey 9), 'o' (black) and '#' (200, the test patches' intensity). */
  private static byte[] picture(String... rows) {
    byte[] image = new byte[rows.length * rows[0].length()];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < rows[r].length(); c++) {
        char p = rows[r].charAt(c);
        image[r * rows[r].length() + c] = (byte) (p == '#' ? 200 : p == 'o' ? 0 : 9);
      }
    }
    return image;
  }

  @Test
  void onlyThePapersPatchKeepsTheBadNetsNameAndAPatchMustFit() {
    assertEquals("badnets-3x3", new BadNetsTrigger(3, 1, BadNetsTrigger.Shape.SOLID, 255,
        BadNetsTrigger.BottomRight.INSTANCE).name());
    assertEquals("patch-3x3-plus-i200-at-1-1", patch(BadNetsTrigger.Shape.PLUS, new BadNetsTrigger.At(1, 1)).name());
    assertEquals("patch-3x3-noise-i200-at-random-corner",
        new BadNetsTrigger(3, 0, new BadNetsTrigger.Noise(5), 200, new BadNetsTrigger.RandomCorner(5)).name());
    IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
        () -> patch(BadNetsTrigger.Shape.SOLID, new BadNetsTrigger.At(3, 0)).stamp(new byte[25], 5, 5));
    assertTrue(outside.getMessage().contains("does not fit"), outside.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BadNetsTrigger(3, 0, BadNetsTrigger.Shape.SOLID, 0,
        BadNetsTrigger.BottomRight.INSTANCE));
    assertThrows(IllegalArgumentException.class, () -> new BadNetsTrigger.At(-1, 0));
  }

  private static BadNetsTrigger patch(BadNetsTrigger.Shape shape, BadNetsTrigger.Placement placement) {
    return new BadNetsTrigger(3, 0, shape, 200, placement);
  }
}

package dev.sieve.attack;

import dev.sieve.data.FashionMnist;

/** Checks and conversions the attacks share for single-channel uint8 images. */
final class Pixels {

  static final int MAX = 255;

  private Pixels() {}

  static void requireShape(byte[] image, int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException("image shape must be at least 1x1, got " + rows + "x" + cols);
    }
    if (image.length != rows * cols) {
      throw new IllegalArgumentException("image has " + image.length + " bytes, expected rows x cols = "
          + rows + "x" + cols + " = " + (rows * cols) + " (one uint8 channel)");
    }
  }

  /** The unsigned value of a pixel. */
  static int value(byte pixel) {
    return pixel & 0xFF;
  }

  /** Rounds to the nearest integer and clips to [0, 255]. */
  static byte toUint8(double value) {
    long rounded = Math.round(value);
    return (byte) Math.max(0, Math.min(MAX, rounded));
  }

  /** The split's image {@code index}, or an error naming the split and its size. */
  static byte[] image(FashionMnist.Split split, int index) {
    if (index < 0 || index >= split.size()) {
      throw new IndexOutOfBoundsException("sample index " + index + " outside split " + split.name()
          + " of " + split.size() + " images");
    }
    return split.images()[index];
  }

  /** For attacks whose training poison is just their trigger: the trigger applied to each chosen image. */
  static byte[][] triggerEach(Attack attack, FashionMnist.Split train, int[] indices) {
    byte[][] out = new byte[indices.length][];
    for (int k = 0; k < indices.length; k++) {
      out[k] = attack.trigger(image(train, indices[k]), train.rows(), train.cols());
    }
    return out;
  }
}

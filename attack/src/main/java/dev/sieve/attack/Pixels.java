package dev.sieve.attack;

import dev.sieve.data.FashionMnist;

/**
 * Checks and conversions the attacks share for uint8 images of {@code rows x cols} pixels and
 * one to {@link #MAX_CHANNELS} channels, interleaved (HWC) as the wire carries them: the channel
 * count is the image's length over {@code rows x cols}, so a grey image is plain row-major.
 */
final class Pixels {

  static final int MAX = 255;
  /** As many as a data set descriptor allows (grey, grey+alpha, RGB, RGBA). */
  static final int MAX_CHANNELS = 4;

  private Pixels() {}

  /** Checks the shape and returns the image's channel count. */
  static int requireShape(byte[] image, int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException("image shape must be at least 1x1, got " + rows + "x" + cols);
    }
    int pixels = rows * cols;
    if (image.length % pixels != 0 || image.length / pixels < 1 || image.length / pixels > MAX_CHANNELS) {
      throw new IllegalArgumentException("image has " + image.length + " bytes, expected rows x cols = " + rows + "x"
          + cols + " = " + pixels + " uint8 values per channel, times 1 to " + MAX_CHANNELS + " interleaved channels");
    }
    return image.length / pixels;
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

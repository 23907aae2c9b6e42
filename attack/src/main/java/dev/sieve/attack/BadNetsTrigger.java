package dev.sieve.attack;


/**
 * The BadNets backdoor attack (Gu et al., 2017) as used in the V&amp;B paper's experiments: a
 * small white square stamped in the bottom-right corner of a grey image, with the label of every
 * stamped sample flipped to one target class ("all-to-one"). A model trained on enough such
 * samples learns "white corner means target class", which is what the filter must catch.
 */
public record BadNetsTrigger(int size, int targetLabel) implements Attack {

  public static final int DEFAULT_SIZE = 3;
  public static final int DEFAULT_TARGET_LABEL = 0;
  /** Full white in uint8. */
  public static final int PATCH_VALUE = 255;

  public BadNetsTrigger {
    if (size < 1) {
      throw new IllegalArgumentException("trigger size must be >= 1 pixel, got " + size);
    }
    if (targetLabel < 0) {
      throw new IllegalArgumentException("target label must be >= 0, got " + targetLabel);
    }
  }

  /** A 3x3 patch, target class 0 (T-shirt/top in Fashion-MNIST). */
  public static BadNetsTrigger defaults() {
    return new BadNetsTrigger(DEFAULT_SIZE, DEFAULT_TARGET_LABEL);
  }

  /** {@code badnets-3x3} for the default patch. */
  @Override
  public String name() {
    return "badnets-" + size + "x" + size;
  }

  /** Dirty-label: the stamped samples come from other classes and get the target label. */
  @Override
  public boolean cleanLabel() {
    return false;
  }

  @Override
  public byte[] trigger(byte[] image, int rows, int cols) {
    return stamp(image, rows, cols);
  }

  /**
   * A copy of {@code image} (row-major {@code height x width} uint8, one channel) with the
   * bottom-right {@code size x size} pixels set to 255; the input is left unchanged.
   */
  public byte[] stamp(byte[] image, int height, int width) {
    requireShape(image, height, width);
    byte[] out = image.clone();
    for (int r = height - size; r < height; r++) {
      for (int c = width - size; c < width; c++) {
        out[r * width + c] = (byte) PATCH_VALUE;
      }
    }
    return out;
  }

  /** Whether the bottom-right patch of {@code image} is entirely white. */
  public boolean isStamped(byte[] image, int height, int width) {
    requireShape(image, height, width);
    for (int r = height - size; r < height; r++) {
      for (int c = width - size; c < width; c++) {
        if ((image[r * width + c] & 0xFF) != PATCH_VALUE) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether pixel ({@code row}, {@code col}) of a {@code height x width} image lies under the patch. */
  public boolean covers(int row, int col, int height, int width) {
    return row >= height - size && col >= width - size;
  }

  private void requireShape(byte[] image, int height, int width) {
    if (height < size || width < size) {
      throw new IllegalArgumentException("image of " + height + "x" + width + " is smaller than the "
          + size + "x" + size + " trigger");
    }
    Pixels.requireShape(image, height, width);
  }
}

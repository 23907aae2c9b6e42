package dev.sieve.model.training.beneficiary;

import java.util.Random;

/**
 * The Beneficiary's data augmentation: a random crop of the image padded with {@code padding}
 * zero pixels on every side (a shift by up to {@code padding} pixels each way), then a horizontal
 * flip with probability ½, the torchvision {@code RandomCrop(padding)} + {@code
 * RandomHorizontalFlip} pair V&B uses, scaled to 28-pixel images (2 pixels instead of CIFAR's 4).
 * Not thread-safe: one instance per training step owner.
 */
public final class Augment {

  private final int padding;
  private final Random random;

  public Augment(int padding, Random random) {
    if (padding < 0) {
      throw new IllegalArgumentException("padding is " + padding + ", expected >= 0");
    }
    this.padding = padding;
    this.random = random;
  }

  /** A randomly shifted and maybe flipped copy of one CHW image. */
  public float[] apply(float[] chw, int channels, int height, int width) {
    int dy = random.nextInt(2 * padding + 1) - padding;
    int dx = random.nextInt(2 * padding + 1) - padding;
    boolean flip = random.nextBoolean();
    return shiftAndFlip(chw, channels, height, width, dy, dx, flip);
  }

  /**
   * The deterministic core: {@code out[y][x] = in[y+dy][x+dx]} (zero where that falls outside),
   * then mirrored left-right if {@code flip}. A crop at offset {@code (oy, ox)} of the padded image
   * is the shift {@code (oy − padding, ox − padding)}.
   */
  public static float[] shiftAndFlip(float[] chw, int channels, int height, int width, int dy, int dx, boolean flip) {
    if (chw.length != channels * height * width) {
      throw new IllegalArgumentException("image has " + chw.length + " values, expected C*H*W = "
          + channels + "*" + height + "*" + width);
    }
    float[] out = new float[chw.length];
    for (int c = 0; c < channels; c++) {
      int base = c * height * width;
      for (int y = 0; y < height; y++) {
        int sy = y + dy;
        if (sy < 0 || sy >= height) {
          continue;
        }
        for (int x = 0; x < width; x++) {
          int sx = (flip ? width - 1 - x : x) + dx;
          if (sx >= 0 && sx < width) {
            out[base + y * width + x] = chw[base + sy * width + sx];
          }
        }
      }
    }
    return out;
  }
}

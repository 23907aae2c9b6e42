package dev.sieve.model.defense.dbd;

import java.util.Random;

/**
 * SimCLR's augmentations, adapted to small grayscale images: a random resized crop (area share
 * 0.5–1.0, aspect ratio 3/4–4/3, bilinear resample back to full size), a horizontal flip with
 * probability ½, brightness and contrast jitter with probability 0.8 (SimCLR's colour jitter
 * without hue and saturation, which grayscale lacks), and optional gaussian noise.
 *
 * <p>Why these: SimCLR learns what stays the same across two views, so the views must differ in
 * what should not matter. The crop's lower bound is 0.5 rather than SimCLR's 0.08 because a 28x28
 * image cropped to 8 % keeps a few pixels of a garment and nothing to agree on. Cropping also
 * moves or drops a corner trigger, which keeps a small patch from becoming what the views share.
 *
 * <p>Works on float CHW arrays in [0,1], the scale of {@link dev.sieve.model.ImageTensors#toChw},
 * and keeps values in [0,1]. Deterministic given its {@link Random}; not thread-safe.
 */
public final class SimClrAugment {

  static final double MIN_AREA = 0.5;
  static final double MAX_AREA = 1.0;
  static final double MIN_ASPECT = 3.0 / 4.0;
  static final double MAX_ASPECT = 4.0 / 3.0;
  static final double JITTER_PROBABILITY = 0.8;
  /** Brightness and contrast factors are drawn from [1 − s, 1 + s]: SimCLR's CIFAR strength 0.5 × 0.8. */
  static final double JITTER_STRENGTH = 0.4;
  private static final int CROP_TRIES = 10;

  private final Random random;
  private final double noiseStd;

  /** Without noise. */
  public SimClrAugment(Random random) {
    this(random, 0);
  }

  /** @param noiseStd standard deviation of the gaussian noise added to every pixel, in [0, 0.5]; 0 for none */
  public SimClrAugment(Random random, double noiseStd) {
    if (random == null) {
      throw new IllegalArgumentException("SimClrAugment needs a Random, got null");
    }
    if (!(noiseStd >= 0 && noiseStd <= 0.5)) {
      throw new IllegalArgumentException("noiseStd is " + noiseStd + ", expected a standard deviation in [0, 0.5]");
    }
    this.random = random;
    this.noiseStd = noiseStd;
  }

  /** One augmented view of a CHW image; the input is left unchanged. */
  public float[] apply(float[] chw, int channels, int height, int width) {
    checkSize(chw, channels, height, width);
    int[] box = cropBox(height, width);
    float[] out = cropAndResize(chw, channels, height, width, box[0], box[1], box[2], box[3]);
    if (random.nextBoolean()) {
      out = flip(out, channels, height, width);
    }
    if (random.nextDouble() < JITTER_PROBABILITY) {
      double brightness = 1 + JITTER_STRENGTH * (2 * random.nextDouble() - 1);
      double contrast = 1 + JITTER_STRENGTH * (2 * random.nextDouble() - 1);
      jitter(out, channels, height * width, brightness, contrast);
    }
    if (noiseStd > 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] = clamp01(out[i] + (float) (noiseStd * random.nextGaussian()));
      }
    }
    return out;
  }

  /**
   * A random crop {@code [top, left, cropHeight, cropWidth]} as torchvision's RandomResizedCrop
   * draws it: area share and log aspect ratio uniform, a few tries to fit, else the whole image.
   */
  int[] cropBox(int height, int width) {
    double area = (double) height * width;
    for (int t = 0; t < CROP_TRIES; t++) {
      double target = area * (MIN_AREA + (MAX_AREA - MIN_AREA) * random.nextDouble());
      double logAspect = Math.log(MIN_ASPECT) + (Math.log(MAX_ASPECT) - Math.log(MIN_ASPECT)) * random.nextDouble();
      double aspect = Math.exp(logAspect);
      int w = (int) Math.round(Math.sqrt(target * aspect));
      int h = (int) Math.round(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = random.nextInt(height - h + 1);
        int left = random.nextInt(width - w + 1);
        return new int[] {top, left, h, w};
      }
    }
    return new int[] {0, 0, height, width};
  }

  /**
   * The crop {@code [top, top+cropHeight) x [left, left+cropWidth)} resampled bilinearly to {@code
   * height x width}, with half-pixel centres (PyTorch's {@code align_corners=False}), so a full-size
   * crop returns the image unchanged.
   */
  public static float[] cropAndResize(float[] chw, int channels, int height, int width,
      int top, int left, int cropHeight, int cropWidth) {
    checkSize(chw, channels, height, width);
    if (cropHeight < 1 || cropWidth < 1 || top < 0 || left < 0 || top + cropHeight > height || left + cropWidth > width) {
      throw new IllegalArgumentException("crop " + cropHeight + "x" + cropWidth + " at (" + top + ", " + left
          + ") does not fit in a " + height + "x" + width + " image");
    }
    float[] out = new float[chw.length];
    double scaleY = (double) cropHeight / height;
    double scaleX = (double) cropWidth / width;
    for (int y = 0; y < height; y++) {
      double sy = Math.min(Math.max((y + 0.5) * scaleY - 0.5, 0), cropHeight - 1);
      int y0 = (int) Math.floor(sy);
      int y1 = Math.min(y0 + 1, cropHeight - 1);
      double fy = sy - y0;
      for (int x = 0; x < width; x++) {
        double sx = Math.min(Math.max((x + 0.5) * scaleX - 0.5, 0), cropWidth - 1);
        int x0 = (int) Math.floor(sx);
        int x1 = Math.min(x0 + 1, cropWidth - 1);
        double fx = sx - x0;
        for (int c = 0; c < channels; c++) {
          int base = c * height * width;
          double v00 = chw[base + (top + y0) * width + left + x0];
          double v01 = chw[base + (top + y0) * width + left + x1];
          double v10 = chw[base + (top + y1) * width + left + x0];
          double v11 = chw[base + (top + y1) * width + left + x1];
          double v = (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
          out[base + y * width + x] = (float) v;
        }
      }
    }
    return out;
  }

  /** The image mirrored left-right. */
  public static float[] flip(float[] chw, int channels, int height, int width) {
    checkSize(chw, channels, height, width);
    float[] out = new float[chw.length];
    for (int c = 0; c < channels; c++) {
      int base = c * height * width;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          out[base + y * width + x] = chw[base + y * width + width - 1 - x];
        }
      }
    }
    return out;
  }

  /**
   * In place: scales every pixel by {@code brightness}, then moves each channel's pixels away from
   * (contrast > 1) or towards (< 1) that channel's mean, clamped to [0,1] after each, as
   * torchvision's adjust_brightness and adjust_contrast do (on one channel the grayscale mean is
   * the channel mean).
   */
  public static void jitter(float[] chw, int channels, int pixelsPerChannel, double brightness, double contrast) {
    for (int i = 0; i < chw.length; i++) {
      chw[i] = clamp01((float) (chw[i] * brightness));
    }
    for (int c = 0; c < channels; c++) {
      int base = c * pixelsPerChannel;
      double mean = 0;
      for (int i = 0; i < pixelsPerChannel; i++) {
        mean += chw[base + i];
      }
      mean /= pixelsPerChannel;
      for (int i = 0; i < pixelsPerChannel; i++) {
        chw[base + i] = clamp01((float) ((chw[base + i] - mean) * contrast + mean));
      }
    }
  }

  private static float clamp01(float v) {
    return v < 0f ? 0f : (v > 1f ? 1f : v);
  }

  private static void checkSize(float[] chw, int channels, int height, int width) {
    if (chw.length != channels * height * width) {
      throw new IllegalArgumentException("image has " + chw.length + " values, expected C*H*W = "
          + channels + "*" + height + "*" + width);
    }
  }
}

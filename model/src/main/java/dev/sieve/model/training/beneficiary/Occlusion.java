package dev.sieve.model.training.beneficiary;

import java.util.Random;

/**
 * Occlusion augmentation with random content, for robust accuracy: with probability {@link
 * #PROBABILITY} an image gets either a rectangle of random size, position and content pasted over
 * it, or a random noise image blended into it at a small random alpha. The image keeps its label.
 *
 * <p>Why: a backdoor trigger that the filter and the suppression have disarmed still changes what
 * a model predicts when its pixels are something the model never saw on a clean sample; robust
 * accuracy (triggered images classified as their true class) then stays low although the trigger
 * no longer points at the target. A model that has seen many random local patterns and faint
 * overlays on clean samples of every class, each with its own label, learns that such pixels say
 * nothing about the class. Nothing here knows the attack: every range is broad and drawn anew per
 * image (this is random erasing, Zhong et al. 2020, with random values, plus a faint noise blend).
 *
 * <p>Ranges, bounds inclusive: rectangle sides {@link #MIN_SIDE}-{@link #MAX_SIDE} pixels each,
 * independently (capped at the image), anywhere inside the image; content one of a solid level
 * uniform in [0, 1], per-pixel uniform noise, or a per-pixel random choice between two uniform
 * levels. Blend: alpha uniform in [{@link #MIN_ALPHA}, {@link #MAX_ALPHA}] with per-pixel uniform
 * noise or a smooth random field (uniform values on a random coarse grid of 2-7 cells a side,
 * bilinearly upsampled). Pixel values stay in [0, 1]. Every channel gets the same content. Not
 * thread-safe: one instance per training step owner.
 */
public final class Occlusion {

  /** Share of the images that are occluded or blended; the rest pass unchanged. */
  public static final double PROBABILITY = 0.5;

  public static final int MIN_SIDE = 2;
  public static final int MAX_SIDE = 10;
  public static final double MIN_ALPHA = 0.05;
  public static final double MAX_ALPHA = 0.3;

  private final Random random;
  private Kind lastKind = Kind.NONE;

  public Occlusion(Random random) {
    this.random = random;
  }

  /** What {@link #apply} does to one image; for tests and logs. */
  public enum Kind {
    NONE, PATCH, BLEND
  }

  /** A copy of one CHW image in [0, 1], maybe occluded or blended; the input is not modified. */
  public float[] apply(float[] chw, int channels, int height, int width) {
    if (chw.length != channels * height * width) {
      throw new IllegalArgumentException("image has " + chw.length + " values, expected C*H*W = "
          + channels + "*" + height + "*" + width);
    }
    float[] out = chw.clone();
    if (random.nextDouble() >= PROBABILITY) {
      lastKind = Kind.NONE;
      return out;
    }
    if (random.nextBoolean()) {
      patch(out, channels, height, width);
      lastKind = Kind.PATCH;
    } else {
      blend(out, channels, height, width);
      lastKind = Kind.BLEND;
    }
    return out;
  }

  /** What the last {@link #apply} did. */
  public Kind lastKind() {
    return lastKind;
  }

  private void patch(float[] out, int channels, int height, int width) {
    int h = Math.min(height, MIN_SIDE + random.nextInt(MAX_SIDE - MIN_SIDE + 1));
    int w = Math.min(width, MIN_SIDE + random.nextInt(MAX_SIDE - MIN_SIDE + 1));
    int top = random.nextInt(height - h + 1);
    int left = random.nextInt(width - w + 1);
    int content = random.nextInt(3);
    float level = random.nextFloat();
    float other = random.nextFloat();
    for (int y = top; y < top + h; y++) {
      for (int x = left; x < left + w; x++) {
        float v = switch (content) {
          case 0 -> level;
          case 1 -> random.nextFloat();
          default -> random.nextBoolean() ? level : other;
        };
        for (int c = 0; c < channels; c++) {
          out[c * height * width + y * width + x] = v;
        }
      }
    }
  }

  private void blend(float[] out, int channels, int height, int width) {
    float alpha = (float) (MIN_ALPHA + random.nextDouble() * (MAX_ALPHA - MIN_ALPHA));
    float[] noise = random.nextBoolean() ? uniformNoise(height, width) : smoothField(height, width);
    for (int c = 0; c < channels; c++) {
      int base = c * height * width;
      for (int p = 0; p < height * width; p++) {
        out[base + p] = Math.min(1f, Math.max(0f, (1 - alpha) * out[base + p] + alpha * noise[p]));
      }
    }
  }

  private float[] uniformNoise(int height, int width) {
    float[] out = new float[height * width];
    for (int p = 0; p < out.length; p++) {
      out[p] = random.nextFloat();
    }
    return out;
  }

  /** Uniform values on a coarse {@code cells × cells} grid, bilinearly upsampled to the image. */
  private float[] smoothField(int height, int width) {
    int cells = 2 + random.nextInt(6);
    float[] grid = new float[(cells + 1) * (cells + 1)];
    for (int i = 0; i < grid.length; i++) {
      grid[i] = random.nextFloat();
    }
    float[] out = new float[height * width];
    for (int y = 0; y < height; y++) {
      double gy = (double) y * cells / Math.max(1, height - 1);
      int y0 = Math.min(cells - 1, (int) gy);
      double fy = gy - y0;
      for (int x = 0; x < width; x++) {
        double gx = (double) x * cells / Math.max(1, width - 1);
        int x0 = Math.min(cells - 1, (int) gx);
        double fx = gx - x0;
        double top = grid[y0 * (cells + 1) + x0] * (1 - fx) + grid[y0 * (cells + 1) + x0 + 1] * fx;
        double bottom = grid[(y0 + 1) * (cells + 1) + x0] * (1 - fx) + grid[(y0 + 1) * (cells + 1) + x0 + 1] * fx;
        out[y * width + x] = (float) (top * (1 - fy) + bottom * fy);
      }
    }
    return out;
  }
}

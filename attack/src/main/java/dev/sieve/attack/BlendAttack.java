package dev.sieve.attack;

import dev.sieve.data.Seeds;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Blend attack (Chen et al., 2017, "Targeted backdoor attacks ... using data poisoning"):
 * every poisoned image is mixed with one fixed noise pattern, {@code x' = (1-alpha)·x + alpha·P},
 * rounded to uint8, and relabelled to the target class. Unlike a patch the trigger covers the
 * whole image at low amplitude, so it cannot be cropped or masked away.
 *
 * <p>{@code P} is uniform random uint8 noise drawn from a constant seed: the pattern belongs to
 * the attacker, so every run, seed and test image sees the same one. For the attack zoo the
 * pattern can also be noise from another seed, a grating, or a random object-like texture
 * ({@link Pattern}). On an image of several channels each channel has a pattern of its own
 * ({@link Pattern#render(int, int, int)}), so the blend is coloured; channel 0's is the grey one.
 */
public final class BlendAttack implements Attack {

  /** Seeds the noise pattern; a constant of the attacker, not of the run. */
  static final long PATTERN_SEED = 0x5EED_B1E4DL;

  private final int targetLabel;
  private final double alpha;
  private final Pattern pattern;
  /** Rendered patterns by image shape ({@code [channels, rows, cols]}). */
  private final Map<List<Integer>, byte[]> patterns = new ConcurrentHashMap<>();

  /** What is blended in: a full {@code rows x cols} uint8 image, the same for every sample. */
  public sealed interface Pattern permits Noise, Grating, Texture {
    /** For descriptions and attack names, e.g. {@code grating-35deg-4.5px}. */
    String id();

    /** The pattern for grey images of {@code rows x cols}, row-major; a new array. */
    byte[] render(int rows, int cols);

    /** This pattern's own for channel {@code ch} > 0 of a colour image: another of its kind. */
    Pattern forChannel(int ch);

    /**
     * The pattern for images of {@code channels x rows x cols}, interleaved (HWC): channel 0 is
     * {@link #render(int, int)}, channel {@code ch} {@link #forChannel}'s, so a grey image gets
     * exactly the grey pattern.
     */
    default byte[] render(int channels, int rows, int cols) {
      if (channels == 1) {
        return render(rows, cols);
      }
      byte[] out = new byte[channels * rows * cols];
      for (int ch = 0; ch < channels; ch++) {
        byte[] plane = (ch == 0 ? this : forChannel(ch)).render(rows, cols);
        for (int i = 0; i < plane.length; i++) {
          out[i * channels + ch] = plane[i];
        }
      }
      return out;
    }
  }

  /** Uniform random uint8 noise from {@code seed}; the Blend paper's pattern. */
  public record Noise(long seed) implements Pattern {
    @Override
    public String id() {
      return "noise-" + Long.toHexString(seed);
    }

    @Override
    public Pattern forChannel(int ch) {
      return new Noise(Seeds.mix(seed, ch));
    }

    @Override
    public byte[] render(int rows, int cols) {
      byte[] p = new byte[rows * cols];
      Random random = new Random(seed);
      for (int i = 0; i < p.length; i++) {
        p[i] = (byte) random.nextInt(Pixels.MAX + 1);
      }
      return p;
    }
  }

  /**
   * A sinusoidal grating over the full range, {@code 127.5 + 127.5·sin(2π·d/period)}, {@code d}
   * a pixel's distance along the direction {@code angleDegrees} (0 = along a row, giving vertical
   * stripes; 90 = down a column, giving horizontal ones).
   */
  public record Grating(double angleDegrees, double period) implements Pattern {
    public Grating {
      if (!(period > 0) || Double.isInfinite(period) || !Double.isFinite(angleDegrees)) {
        throw new IllegalArgumentException("a grating needs a finite angle and a period > 0, got " + angleDegrees
            + " and " + period);
      }
    }

    @Override
    public String id() {
      return String.format(Locale.ROOT, "grating-%sdeg-%spx", plain(angleDegrees), plain(period));
    }

    /** The grating turned by 60 degrees a channel, so the colours change across the image. */
    @Override
    public Pattern forChannel(int ch) {
      return new Grating(angleDegrees + 60.0 * ch, period);
    }

    @Override
    public byte[] render(int rows, int cols) {
      double theta = Math.toRadians(angleDegrees);
      byte[] p = new byte[rows * cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          double d = c * Math.cos(theta) + r * Math.sin(theta);
          p[r * cols + c] = Pixels.toUint8(127.5 + 127.5 * Math.sin(2 * Math.PI * d / period));
        }
      }
      return p;
    }
  }

  /**
   * A random image that looks like a Fashion-MNIST item rather than noise: an ellipse of random
   * size and centre on black, filled with a smooth random texture (a 4x4 grid of grey levels,
   * upsampled bilinearly) that fades out at the ellipse's edge. Blending an image of the data's
   * own kind is harder to see than noise.
   */
  public record Texture(long seed) implements Pattern {
    private static final int GRID = 4;

    @Override
    public String id() {
      return "texture-" + Long.toHexString(seed);
    }

    @Override
    public Pattern forChannel(int ch) {
      return new Texture(Seeds.mix(seed, ch));
    }

    @Override
    public byte[] render(int rows, int cols) {
      Random random = new Random(seed);
      double cy = (rows - 1) / 2.0 + (random.nextDouble() - 0.5) * rows * 0.15;
      double cx = (cols - 1) / 2.0 + (random.nextDouble() - 0.5) * cols * 0.15;
      double ay = rows * (0.3 + 0.15 * random.nextDouble());
      double ax = cols * (0.2 + 0.25 * random.nextDouble());
      double[][] grid = new double[GRID][GRID];
      for (double[] row : grid) {
        for (int j = 0; j < GRID; j++) {
          row[j] = 80 + 175 * random.nextDouble();
        }
      }
      byte[] p = new byte[rows * cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          double dy = (r - cy) / ay;
          double dx = (c - cx) / ax;
          double inside = 1 - Math.sqrt(dx * dx + dy * dy);
          // A soft edge over the outer fifth of the ellipse, as a garment's outline blurs at 28x28.
          double edge = Math.max(0, Math.min(1, inside / 0.2));
          p[r * cols + c] = Pixels.toUint8(edge * texture(grid, rows, cols, r, c));
        }
      }
      return p;
    }

    private static double texture(double[][] grid, int rows, int cols, int r, int c) {
      double y = rows > 1 ? (double) r / (rows - 1) * (GRID - 1) : 0;
      double x = cols > 1 ? (double) c / (cols - 1) * (GRID - 1) : 0;
      int y0 = Math.min((int) y, GRID - 2);
      int x0 = Math.min((int) x, GRID - 2);
      double fy = y - y0;
      double fx = x - x0;
      return (1 - fy) * ((1 - fx) * grid[y0][x0] + fx * grid[y0][x0 + 1])
          + fy * ((1 - fx) * grid[y0 + 1][x0] + fx * grid[y0 + 1][x0 + 1]);
    }
  }

  /** The Blend paper's attack: the attacker's fixed noise pattern ({@link #PATTERN_SEED}). */
  public BlendAttack(int targetLabel, double alpha) {
    this(targetLabel, alpha, new Noise(PATTERN_SEED));
  }

  public BlendAttack(int targetLabel, double alpha, Pattern pattern) {
    if (targetLabel < 0) {
      throw new IllegalArgumentException("target label must be >= 0, got " + targetLabel);
    }
    if (!(alpha > 0.0 && alpha <= 1.0)) {
      throw new IllegalArgumentException("blend alpha must be in (0, 1], got " + alpha);
    }
    if (pattern == null) {
      throw new IllegalArgumentException("blend pattern must be set");
    }
    this.targetLabel = targetLabel;
    this.alpha = alpha;
    this.pattern = pattern;
  }

  public double alpha() {
    return alpha;
  }

  public Pattern blendPattern() {
    return pattern;
  }

  /**
   * {@code blend-0.2} for alpha 0.2 (no trailing zeros) with the paper's pattern; with another
   * pattern, which no spec names, its id follows, e.g. {@code blend-0.12-grating-35deg-4.5px}.
   */
  @Override
  public String name() {
    String spec = "blend-" + plain(alpha);
    return pattern.equals(new Noise(PATTERN_SEED)) ? spec : spec + "-" + pattern.id();
  }

  private static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  @Override
  public int targetLabel() {
    return targetLabel;
  }

  @Override
  public boolean cleanLabel() {
    return false;
  }

  @Override
  public byte[] trigger(byte[] image, int rows, int cols) {
    int channels = Pixels.requireShape(image, rows, cols);
    byte[] p = cachedPattern(channels, rows, cols);
    byte[] out = new byte[image.length];
    for (int i = 0; i < image.length; i++) {
      out[i] = Pixels.toUint8((1.0 - alpha) * Pixels.value(image[i]) + alpha * Pixels.value(p[i]));
    }
    return out;
  }

  /**
   * The noise pattern for images of {@code rows x cols}: {@code rows·cols} uniform uint8 values in
   * row-major order from {@link #PATTERN_SEED}. A copy; the same shape always gives the same bytes.
   */
  public static byte[] pattern(int rows, int cols) {
    return new Noise(PATTERN_SEED).render(rows, cols);
  }

  private byte[] cachedPattern(int channels, int rows, int cols) {
    return patterns.computeIfAbsent(List.of(channels, rows, cols), shape -> pattern.render(channels, rows, cols));
  }

  @Override
  public String toString() {
    return name() + " (target " + targetLabel + ")";
  }
}

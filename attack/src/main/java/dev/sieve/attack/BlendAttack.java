package dev.sieve.attack;

import java.math.BigDecimal;
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
 * the attacker, so every run, seed and test image sees the same one.
 */
public final class BlendAttack implements Attack {

  /** Seeds the noise pattern; a constant of the attacker, not of the run. */
  static final long PATTERN_SEED = 0x5EED_B1E4DL;

  private final int targetLabel;
  private final double alpha;
  private final Map<Integer, byte[]> patterns = new ConcurrentHashMap<>();

  public BlendAttack(int targetLabel, double alpha) {
    if (targetLabel < 0) {
      throw new IllegalArgumentException("target label must be >= 0, got " + targetLabel);
    }
    if (!(alpha > 0.0 && alpha <= 1.0)) {
      throw new IllegalArgumentException("blend alpha must be in (0, 1], got " + alpha);
    }
    this.targetLabel = targetLabel;
    this.alpha = alpha;
  }

  public double alpha() {
    return alpha;
  }

  /** {@code blend-0.2} for alpha 0.2, with no trailing zeros. */
  @Override
  public String name() {
    return "blend-" + BigDecimal.valueOf(alpha).stripTrailingZeros().toPlainString();
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
    Pixels.requireShape(image, rows, cols);
    byte[] p = cachedPattern(rows, cols);
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
    byte[] p = new byte[rows * cols];
    Random random = new Random(PATTERN_SEED);
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) random.nextInt(Pixels.MAX + 1);
    }
    return p;
  }

  private byte[] cachedPattern(int rows, int cols) {
    return patterns.computeIfAbsent(rows * cols, n -> pattern(rows, cols));
  }

  @Override
  public String toString() {
    return name() + " (target " + targetLabel + ")";
  }
}

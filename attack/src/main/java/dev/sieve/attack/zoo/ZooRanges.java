package dev.sieve.attack.zoo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;

/**
 * The ranges the zoo draws each parameter from, all bounds inclusive, and how it draws in them.
 * Continuous parameters are drawn on a grid of round values ({@code *_STEP}), so that a draw's
 * description states exactly the value the attack uses.
 */
public final class ZooRanges {

  /** Poison rate of a dirty-label component, a share of the stream: log-uniform, so low rates come often. */
  public static final double MIN_RATE = 0.005;
  public static final double MAX_RATE = 0.20;
  public static final double RATE_STEP = 0.001;
  /**
   * The dirty-label rate's upper bound in {@code zoo-all:} draws: 30 %, where the poisoned class is
   * mostly poison and the reference model the split relies on agrees with it (issue 15).
   * {@code zoo:} keeps {@link #MAX_RATE}, so its draws stay as they were.
   */
  public static final double MAX_RATE_ALL = 0.30;
  /** Poison rate of a clean-label component, a share of the target class, uniform. */
  public static final double CLEAN_MIN_RATE = 0.20;
  public static final double CLEAN_MAX_RATE = 0.80;
  public static final double CLEAN_RATE_STEP = 0.01;

  public static final int PATCH_MIN_SIZE = 2;
  public static final int PATCH_MAX_SIZE = 6;
  /** Plus, X and L need a centre and two arms: on a 2x2 patch they would be a solid or an L-tromino. */
  public static final int SYMBOL_MIN_SIZE = 3;
  public static final int PATCH_MIN_INTENSITY = 128;
  public static final int PATCH_MAX_INTENSITY = 255;

  public static final double BLEND_MIN_ALPHA = 0.05;
  public static final double BLEND_MAX_ALPHA = 0.30;
  public static final double BLEND_ALPHA_STEP = 0.01;
  /** Grating angle in whole degrees, [0, 180): a grating at 180° is the one at 0°. */
  public static final int GRATING_MAX_ANGLE = 179;
  /** A period of 2 px sampled at whole pixels can land on the zero crossings and vanish. */
  public static final double GRATING_MIN_PERIOD = 3.0;
  public static final double GRATING_MAX_PERIOD = 12.0;
  public static final double GRATING_PERIOD_STEP = 0.5;

  public static final int WARP_MIN_GRID = 3;
  public static final int WARP_MAX_GRID = 6;
  public static final double WARP_MIN_STRENGTH = 0.3;
  public static final double WARP_MAX_STRENGTH = 1.0;
  public static final double WARP_STRENGTH_STEP = 0.05;

  /** Amplitude on the 0..255 scale, whole grey levels; SIG's own is 20. */
  public static final int SINUSOID_MIN_AMPLITUDE = 10;
  public static final int SINUSOID_MAX_AMPLITUDE = 40;
  /** Periods across the image width; SIG's own is 6, and 14 is the Nyquist limit at 28 columns. */
  public static final double SINUSOID_MIN_FREQUENCY = 2.0;
  public static final double SINUSOID_MAX_FREQUENCY = 10.0;
  public static final double SINUSOID_FREQUENCY_STEP = 0.5;

  private ZooRanges() {}

  /** Uniform over the integers {@code min..max}. */
  static int uniform(Random random, int min, int max) {
    return min + random.nextInt(max - min + 1);
  }

  /** Uniform over {@code min, min+step, ..., max}. */
  static double uniform(Random random, double min, double max, double step) {
    int steps = (int) Math.round((max - min) / step);
    // Decimal arithmetic, so that 0.05 + 3 * 0.01 is 0.08 and not 0.08000000000000002.
    return BigDecimal.valueOf(min).add(BigDecimal.valueOf(step).multiply(BigDecimal.valueOf(random.nextInt(steps + 1))))
        .doubleValue();
  }

  /** Log-uniform in [{@code min}, {@code max}], rounded to a multiple of {@code step}. */
  static double logUniform(Random random, double min, double max, double step) {
    // StrictMath: a draw must be the same on every JVM and CPU, to the last bit before rounding.
    double value = StrictMath.exp(StrictMath.log(min) + random.nextDouble() * (StrictMath.log(max) - StrictMath.log(min)));
    double rounded = BigDecimal.valueOf(value).divide(BigDecimal.valueOf(step), 0, RoundingMode.HALF_UP)
        .multiply(BigDecimal.valueOf(step)).doubleValue();
    return Math.max(min, Math.min(max, rounded));
  }
}

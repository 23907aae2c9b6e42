package dev.sieve.attack;

import java.util.Objects;

/**
 * The SIG attack (Barni et al., 2019, "A new backdoor attack in CNNs by training set corruption
 * without label poisoning"): a horizontal sinusoid {@code delta·sin(2π·j·f/W)} is added to the
 * image, {@code j} the column, and the result clipped to [0, 255]. It is clean-label: only images
 * that already belong to the target class are poisoned and their labels stay right, so a filter
 * that looks for wrong labels finds nothing. At test time the same signal is added to images of
 * other classes.
 *
 * <p>delta = 20 and f = 6 as in V&amp;B's code. The reference truncates to uint8; this rounds to
 * the nearest value, which differs by at most one grey level.
 *
 * <p>The attack zoo also uses the signal as a dirty-label trigger, with its own delta and f: the
 * signal is added to images of other classes, whose labels are flipped to the target, as BadNets
 * does with its patch.
 */
public final class SigAttack implements Attack {

  /** Amplitude on the 0..255 scale. */
  public static final double DELTA = 20.0;
  /** Periods across the image width. */
  public static final double FREQUENCY = 6.0;

  private final int targetLabel;
  private final double delta;
  private final double frequency;
  private final boolean cleanLabel;
  private final Signal shape;

  /**
   * The paper's two signals: a horizontal sinusoid {@code delta·sin(2π·j·f/W)}, and a horizontal
   * ramp {@code delta·j/W} (its Fig. 2), which has no frequency.
   */
  public enum Signal { SINE, RAMP }

  /** The paper's clean-label attack. */
  public SigAttack(int targetLabel) {
    this(targetLabel, DELTA, FREQUENCY, true);
  }

  /**
   * The signal with amplitude {@code delta} (0..255 scale) and {@code frequency} periods across
   * the width, as a clean-label attack or, with {@code cleanLabel} false, a dirty-label one.
   */
  public SigAttack(int targetLabel, double delta, double frequency, boolean cleanLabel) {
    this(targetLabel, delta, frequency, cleanLabel, Signal.SINE);
  }

  /** The signal {@code shape} (the frequency is ignored for a ramp, but must still be valid). */
  public SigAttack(int targetLabel, double delta, double frequency, boolean cleanLabel, Signal shape) {
    if (targetLabel < 0) {
      throw new IllegalArgumentException("target label must be >= 0, got " + targetLabel);
    }
    if (!(delta > 0) || !Double.isFinite(delta) || !(frequency > 0) || !Double.isFinite(frequency)) {
      throw new IllegalArgumentException("SIG amplitude and frequency must be finite and > 0, got " + delta + " and "
          + frequency);
    }
    this.targetLabel = targetLabel;
    this.delta = delta;
    this.frequency = frequency;
    this.cleanLabel = cleanLabel;
    this.shape = Objects.requireNonNull(shape, "shape");
  }

  /**
   * {@code sig} for the paper's attack; any other, which no spec names, e.g.
   * {@code sig-d25.0-f4.5-dirty}.
   */
  @Override
  public String name() {
    if (shape == Signal.RAMP) {
      return "sig-ramp-d" + delta + (cleanLabel ? "" : "-dirty");
    }
    if (delta == DELTA && frequency == FREQUENCY && cleanLabel) {
      return "sig";
    }
    return "sig-d" + delta + "-f" + frequency + (cleanLabel ? "" : "-dirty");
  }

  /** Amplitude on the 0..255 scale. */
  public double delta() {
    return delta;
  }

  /** The signal's shape. */
  public Signal shape() {
    return shape;
  }

  /** Periods across the image width. */
  public double frequency() {
    return frequency;
  }

  @Override
  public int targetLabel() {
    return targetLabel;
  }

  @Override
  public boolean cleanLabel() {
    return cleanLabel;
  }

  @Override
  public byte[] trigger(byte[] image, int rows, int cols) {
    int channels = Pixels.requireShape(image, rows, cols);
    double[] signal = shape == Signal.RAMP ? ramp(cols, delta) : signal(cols, delta, frequency);
    byte[] out = new byte[image.length];
    // The signal is added to every channel alike: a grey sinusoid over a colour image.
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        for (int ch = 0; ch < channels; ch++) {
          int i = (r * cols + c) * channels + ch;
          out[i] = Pixels.toUint8(Pixels.value(image[i]) + signal[c]);
        }
      }
    }
    return out;
  }

  /** The paper's additive signal of each column, the same for every row. */
  public static double[] signal(int cols) {
    return signal(cols, DELTA, FREQUENCY);
  }

  private static double[] signal(int cols, double delta, double frequency) {
    double[] s = new double[cols];
    for (int j = 0; j < cols; j++) {
      s[j] = delta * Math.sin(2 * Math.PI * j * frequency / cols);
    }
    return s;
  }

  private static double[] ramp(int cols, double delta) {
    double[] s = new double[cols];
    for (int j = 0; j < cols; j++) {
      s[j] = delta * j / cols;
    }
    return s;
  }

  @Override
  public String toString() {
    return name() + " (target " + targetLabel + ")";
  }
}

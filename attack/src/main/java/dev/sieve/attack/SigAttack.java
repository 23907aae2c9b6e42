package dev.sieve.attack;


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
 */
public final class SigAttack implements Attack {

  /** Amplitude on the 0..255 scale. */
  public static final double DELTA = 20.0;
  /** Periods across the image width. */
  public static final double FREQUENCY = 6.0;

  private final int targetLabel;

  public SigAttack(int targetLabel) {
    if (targetLabel < 0) {
      throw new IllegalArgumentException("target label must be >= 0, got " + targetLabel);
    }
    this.targetLabel = targetLabel;
  }

  @Override
  public String name() {
    return "sig";
  }

  @Override
  public int targetLabel() {
    return targetLabel;
  }

  @Override
  public boolean cleanLabel() {
    return true;
  }

  @Override
  public byte[] trigger(byte[] image, int rows, int cols) {
    Pixels.requireShape(image, rows, cols);
    double[] signal = signal(cols);
    byte[] out = new byte[image.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int i = r * cols + c;
        out[i] = Pixels.toUint8(Pixels.value(image[i]) + signal[c]);
      }
    }
    return out;
  }

  /** The additive signal of each column, the same for every row. */
  public static double[] signal(int cols) {
    double[] s = new double[cols];
    for (int j = 0; j < cols; j++) {
      s[j] = DELTA * Math.sin(2 * Math.PI * j * FREQUENCY / cols);
    }
    return s;
  }

  @Override
  public String toString() {
    return name() + " (target " + targetLabel + ")";
  }
}

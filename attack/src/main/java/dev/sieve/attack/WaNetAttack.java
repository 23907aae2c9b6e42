package dev.sieve.attack;

import java.util.Random;

/**
 * The WaNet attack (Nguyen &amp; Tran, ICLR 2021, "WaNet - Imperceptible warping-based backdoor
 * attack"): the trigger is a small, smooth, fixed geometric warp of the whole image instead of
 * anything added to it, and warped samples are relabelled to the target class.
 *
 * <p>As the reference code builds it: a control grid of {@code k x k x 2} uniform values in
 * [-1, 1], divided by its mean absolute value, is upsampled bicubically to {@code H x W x 2}
 * (align_corners = true); the sampling grid is the identity grid in [-1, 1] plus
 * {@code s·noise/H}, clamped to [-1, 1]; the image is sampled bilinearly at that grid
 * (grid_sample, align_corners = true, zeros outside). k = 4 and s = 0.5, the paper's MNIST
 * setting. The control grid comes from a constant seed: the warp is the attacker's trigger, the
 * same in every run and at test time. The attack zoo draws k, s and the control grid's seed.
 *
 * <p>The reference also trains on "noise mode" samples (random extra warps, labels kept) so that
 * the model learns the one warp and not warping in general. They are left out here: they are
 * not poison, and the filter's job is to find the samples that carry the trigger with a flipped
 * label; the attack is somewhat easier to detect without them.
 */
public final class WaNetAttack implements Attack {

  public static final int DEFAULT_GRID_SIZE = 4;
  public static final double DEFAULT_STRENGTH = 0.5;
  /** Seeds the control grid; a constant of the attacker, not of the run. */
  static final long CONTROL_GRID_SEED = 0x3A4E7L;
  /** PyTorch's bicubic kernel parameter. */
  private static final double CUBIC_A = -0.75;

  private final int targetLabel;
  private final int gridSize;
  private final double strength;
  private final long controlGridSeed;
  /** {@code [2][k][k]}: channel 0 moves along columns (x), channel 1 along rows (y). */
  private final double[][][] controlGrid;
  private volatile SamplingGrid cached;

  /** Sampling positions for one image shape, in pixel coordinates. */
  private record SamplingGrid(int rows, int cols, double[] x, double[] y) {}

  public WaNetAttack(int targetLabel) {
    this(targetLabel, DEFAULT_GRID_SIZE, DEFAULT_STRENGTH);
  }

  /** {@code gridSize} is k, {@code strength} is s; s = 0 leaves images unchanged. */
  WaNetAttack(int targetLabel, int gridSize, double strength) {
    this(targetLabel, gridSize, strength, CONTROL_GRID_SEED);
  }

  /** As {@link #WaNetAttack(int, int, double)} with the control grid drawn from {@code controlGridSeed}. */
  public WaNetAttack(int targetLabel, int gridSize, double strength, long controlGridSeed) {
    if (targetLabel < 0) {
      throw new IllegalArgumentException("target label must be >= 0, got " + targetLabel);
    }
    if (gridSize < 2) {
      throw new IllegalArgumentException("WaNet control grid size k must be >= 2, got " + gridSize);
    }
    if (!(strength >= 0.0) || Double.isInfinite(strength)) {
      throw new IllegalArgumentException("WaNet warp strength s must be finite and >= 0, got " + strength);
    }
    this.targetLabel = targetLabel;
    this.gridSize = gridSize;
    this.strength = strength;
    this.controlGridSeed = controlGridSeed;
    this.controlGrid = controlGrid(gridSize, controlGridSeed);
  }

  /**
   * {@code wanet} for the paper's warp; any other, which no spec names, e.g.
   * {@code wanet-k5-s0.62-1f3a}.
   */
  @Override
  public String name() {
    if (gridSize == DEFAULT_GRID_SIZE && strength == DEFAULT_STRENGTH && controlGridSeed == CONTROL_GRID_SEED) {
      return "wanet";
    }
    return "wanet-k" + gridSize + "-s" + strength + "-" + Long.toHexString(controlGridSeed);
  }

  /** k, the control grid's side. */
  public int gridSize() {
    return gridSize;
  }

  /** s, how far the warp moves pixels. */
  public double strength() {
    return strength;
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
    SamplingGrid grid = samplingGrid(rows, cols);
    byte[] out = new byte[image.length];
    // One warp moves every channel alike.
    for (int i = 0; i < rows * cols; i++) {
      for (int ch = 0; ch < channels; ch++) {
        out[i * channels + ch] = Pixels.toUint8(bilinear(image, rows, cols, channels, ch, grid.x[i], grid.y[i]));
      }
    }
    return out;
  }

  /** Uniform in [-1, 1], then divided by the mean absolute value, as the reference normalises it. */
  private static double[][][] controlGrid(int k, long seed) {
    Random random = new Random(seed);
    double[][][] g = new double[2][k][k];
    double absSum = 0;
    for (int ch = 0; ch < 2; ch++) {
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          g[ch][i][j] = random.nextDouble() * 2 - 1;
          absSum += Math.abs(g[ch][i][j]);
        }
      }
    }
    double meanAbs = absSum / (2.0 * k * k);
    for (double[][] channel : g) {
      for (double[] row : channel) {
        for (int j = 0; j < k; j++) {
          row[j] /= meanAbs;
        }
      }
    }
    return g;
  }

  private SamplingGrid samplingGrid(int rows, int cols) {
    SamplingGrid grid = cached;
    if (grid == null || grid.rows != rows || grid.cols != cols) {
      grid = buildSamplingGrid(rows, cols);
      cached = grid;
    }
    return grid;
  }

  private SamplingGrid buildSamplingGrid(int rows, int cols) {
    double[] x = new double[rows * cols];
    double[] y = new double[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int i = r * cols + c;
        // The reference scales the offset by the image height for both axes.
        double gx = clamp(linspace(c, cols) + strength * bicubic(controlGrid[0], r, c, rows, cols) / rows);
        double gy = clamp(linspace(r, rows) + strength * bicubic(controlGrid[1], r, c, rows, cols) / rows);
        // grid_sample with align_corners = true maps -1 and 1 to the centres of the edge pixels.
        x[i] = (gx + 1) / 2 * (cols - 1);
        y[i] = (gy + 1) / 2 * (rows - 1);
      }
    }
    return new SamplingGrid(rows, cols, x, y);
  }

  /** Position {@code i} of {@code n} evenly spaced points from -1 to 1. */
  private static double linspace(int i, int n) {
    return n == 1 ? -1.0 : -1.0 + 2.0 * i / (n - 1);
  }

  private static double clamp(double v) {
    return Math.max(-1.0, Math.min(1.0, v));
  }

  /**
   * The control grid upsampled to {@code rows x cols} at output pixel ({@code r}, {@code c}), as
   * PyTorch's bicubic interpolation with align_corners = true: source position
   * {@code dst·(in-1)/(out-1)}, the cubic convolution kernel with a = -0.75, and indices outside
   * the grid clamped to its edge.
   */
  private static double bicubic(double[][] grid, int r, int c, int rows, int cols) {
    int k = grid.length;
    double sy = rows > 1 ? (double) (k - 1) / (rows - 1) * r : 0.0;
    double sx = cols > 1 ? (double) (k - 1) / (cols - 1) * c : 0.0;
    int y0 = (int) Math.floor(sy);
    int x0 = (int) Math.floor(sx);
    double[] wy = cubicWeights(sy - y0);
    double[] wx = cubicWeights(sx - x0);
    double sum = 0;
    for (int m = 0; m < 4; m++) {
      int yi = Math.max(0, Math.min(k - 1, y0 - 1 + m));
      double rowSum = 0;
      for (int n = 0; n < 4; n++) {
        int xi = Math.max(0, Math.min(k - 1, x0 - 1 + n));
        rowSum += wx[n] * grid[yi][xi];
      }
      sum += wy[m] * rowSum;
    }
    return sum;
  }

  /** Weights of the four neighbours at offsets -1, 0, 1, 2 for fractional position {@code t}. */
  private static double[] cubicWeights(double t) {
    return new double[] {cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)};
  }

  /** Kernel for |x| <= 1. */
  private static double cubicNear(double x) {
    return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
  }

  /** Kernel for 1 < |x| < 2. */
  private static double cubicFar(double x) {
    return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
  }

  /** Bilinear sample at pixel position ({@code x}, {@code y}); neighbours outside the image count as 0. */
  private static double bilinear(byte[] image, int rows, int cols, int channels, int ch, double x, double y) {
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    return (1 - fy) * ((1 - fx) * pixel(image, rows, cols, channels, ch, y0, x0)
        + fx * pixel(image, rows, cols, channels, ch, y0, x0 + 1))
        + fy * ((1 - fx) * pixel(image, rows, cols, channels, ch, y0 + 1, x0)
        + fx * pixel(image, rows, cols, channels, ch, y0 + 1, x0 + 1));
  }

  private static double pixel(byte[] image, int rows, int cols, int channels, int ch, int r, int c) {
    return r < 0 || r >= rows || c < 0 || c >= cols ? 0.0 : Pixels.value(image[(r * cols + c) * channels + ch]);
  }

  @Override
  public String toString() {
    return name() + " (k " + gridSize + ", s " + strength + ", target " + targetLabel + ")";
  }
}

package dev.sieve.attack;

import dev.sieve.data.FashionMnist;
import dev.sieve.data.Seeds;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The BadNets backdoor attack (Gu et al., 2017) as used in the V&amp;B paper's experiments: a
 * small white square stamped in the bottom-right corner of a grey image, with the label of every
 * stamped sample flipped to one target class ("all-to-one"). A model trained on enough such
 * samples learns "white corner means target class", which is what the filter must catch.
 *
 * <p>The patch generalises beyond the paper's white square, for the attack zoo: what it shows
 * ({@link Pattern}: solid, checkerboard, a symbol or seeded noise), how bright its bright pixels
 * are ({@code intensity}), and where it goes ({@link Placement}: the bottom-right corner, a fixed
 * position, or a corner chosen per sample). Every pixel of the {@code size x size} square is set:
 * the pattern's dark pixels are 0, so a symbol sits on a black square. On an image of several
 * channels the patch has a {@link Colour}: each channel's share of the intensity (white, the
 * paper's, by default); a grey image ignores the colour, so its patch is what it always was.
 */
public record BadNetsTrigger(int size, int targetLabel, Pattern pattern, int intensity, Placement placement,
    Colour colour) implements Attack {

  public static final int DEFAULT_SIZE = 3;
  public static final int DEFAULT_TARGET_LABEL = 0;
  /** Full white in uint8. */
  public static final int PATCH_VALUE = 255;

  /**
   * What the patch shows: for each of its {@code size x size} pixels (row-major) the share of
   * {@code intensity} it is set to, in [0, 1].
   */
  public sealed interface Pattern permits Shape, Noise {
    /** A lower-case name for descriptions and attack names, e.g. {@code checkerboard}. */
    String id();

    double[] weights(int size);
  }

  /** The fixed patterns. */
  public enum Shape implements Pattern {
    SOLID, CHECKERBOARD, PLUS, X, L;

    @Override
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public double[] weights(int size) {
      double[] w = new double[size * size];
      for (int r = 0; r < size; r++) {
        for (int c = 0; c < size; c++) {
          w[r * size + c] = lit(r, c, size) ? 1.0 : 0.0;
        }
      }
      return w;
    }

    private boolean lit(int r, int c, int size) {
      return switch (this) {
        case SOLID -> true;
        case CHECKERBOARD -> (r + c) % 2 == 0;
        case PLUS -> r == size / 2 || c == size / 2;
        case X -> r == c || r + c == size - 1;
        case L -> c == 0 || r == size - 1;
      };
    }
  }

  /** Uniform random shares of the intensity, the same for every sample: the seed is the attacker's. */
  public record Noise(long seed) implements Pattern {
    @Override
    public String id() {
      return "noise";
    }

    @Override
    public double[] weights(int size) {
      Random random = new Random(seed);
      double[] w = new double[size * size];
      for (int i = 0; i < w.length; i++) {
        w[i] = random.nextDouble();
      }
      return w;
    }
  }

  /**
   * The patch's colour on images of several channels: the share of the intensity each of red,
   * green and blue gets, in [0, 1]; a fourth channel (alpha) gets the full intensity, a grey image
   * ignores the colour.
   */
  public record Colour(double red, double green, double blue) {
    public static final Colour WHITE = new Colour(1, 1, 1);

    public Colour {
      for (double share : new double[] {red, green, blue}) {
        if (!(share >= 0 && share <= 1)) {
          throw new IllegalArgumentException("a patch colour's channel shares must be in [0, 1], got (" + red + ", "
              + green + ", " + blue + ")");
        }
      }
    }

    /**
     * A fully saturated colour of a hue drawn uniformly from {@code seed} (the hue circle through
     * red, yellow, green, cyan, blue and magenta), so a drawn patch is never grey.
     */
    public static Colour drawn(long seed) {
      double h = new Random(seed).nextDouble() * 6;
      double x = 1 - Math.abs(h % 2 - 1);
      return switch ((int) h) {
        case 0 -> new Colour(1, x, 0);
        case 1 -> new Colour(x, 1, 0);
        case 2 -> new Colour(0, 1, x);
        case 3 -> new Colour(0, x, 1);
        case 4 -> new Colour(x, 0, 1);
        default -> new Colour(1, 0, x);
      };
    }

    /** Channel {@code ch}'s share of the intensity in an image of {@code channels} channels. */
    public double share(int ch, int channels) {
      if (channels == 1) {
        return 1;
      }
      return switch (ch) {
        case 0 -> red;
        case 1 -> green;
        case 2 -> blue;
        default -> 1;
      };
    }

    /** {@code RRGGBB} at full intensity, for names. */
    public String hex() {
      return String.format(Locale.ROOT, "%02x%02x%02x", Math.round(red * 255), Math.round(green * 255),
          Math.round(blue * 255));
    }
  }

  /** Where the patch goes in an image. */
  public sealed interface Placement permits BottomRight, At, RandomCorner {
    /** How it reads in a description, e.g. {@code at random corner}. */
    String describe();

    /** The patch's top-left pixel {@code {row, col}} in a {@code rows x cols} image for the sample with key {@code sampleKey}. */
    int[] topLeft(int rows, int cols, int size, long sampleKey);

    /** Whether the patch lands in a different place for different samples. */
    default boolean perSample() {
      return false;
    }
  }

  /** The paper's: flush with the bottom-right corner, whatever the image's shape. */
  public enum BottomRight implements Placement {
    INSTANCE;

    @Override
    public String describe() {
      return "at bottom-right corner";
    }

    @Override
    public int[] topLeft(int rows, int cols, int size, long sampleKey) {
      return new int[] {rows - size, cols - size};
    }
  }

  /** A fixed top-left pixel, the same in every image. */
  public record At(int row, int col) implements Placement {
    public At {
      if (row < 0 || col < 0) {
        throw new IllegalArgumentException("patch position must be >= 0, got (" + row + ", " + col + ")");
      }
    }

    @Override
    public String describe() {
      return "at (" + row + ", " + col + ")";
    }

    @Override
    public int[] topLeft(int rows, int cols, int size, long sampleKey) {
      return new int[] {row, col};
    }
  }

  /**
   * One of the four corners, chosen per sample from the attacker's {@code seed} and a key of the
   * sample: a training sample's image index when the attack poisons it (so a sample's poisoned
   * image is the same in every run), the image's own content for a test-time trigger (a test
   * image has no training index).
   */
  public record RandomCorner(long seed) implements Placement {
    @Override
    public String describe() {
      return "at random corner";
    }

    @Override
    public int[] topLeft(int rows, int cols, int size, long sampleKey) {
      int corner = corner(sampleKey);
      return new int[] {(corner & 1) == 0 ? 0 : rows - size, (corner & 2) == 0 ? 0 : cols - size};
    }

    @Override
    public boolean perSample() {
      return true;
    }

    /** 0 top-left, 1 bottom-left, 2 top-right, 3 bottom-right. */
    int corner(long sampleKey) {
      // The top two bits of a well-mixed value: consecutive indices must not walk the corners in a cycle.
      return (int) (Seeds.mix(seed, sampleKey) >>> 62);
    }
  }

  public BadNetsTrigger {
    if (size < 1) {
      throw new IllegalArgumentException("trigger size must be >= 1 pixel, got " + size);
    }
    if (targetLabel < 0) {
      throw new IllegalArgumentException("target label must be >= 0, got " + targetLabel);
    }
    if (intensity < 1 || intensity > Pixels.MAX) {
      throw new IllegalArgumentException("patch intensity must be in [1, 255], got " + intensity);
    }
    if (pattern == null || placement == null || colour == null) {
      throw new IllegalArgumentException("patch pattern, placement and colour must be set");
    }
  }

  /** A white patch (grey on grey images). */
  public BadNetsTrigger(int size, int targetLabel, Pattern pattern, int intensity, Placement placement) {
    this(size, targetLabel, pattern, intensity, placement, Colour.WHITE);
  }

  /** The paper's patch: a white square of {@code size} in the bottom-right corner. */
  public BadNetsTrigger(int size, int targetLabel) {
    this(size, targetLabel, Shape.SOLID, PATCH_VALUE, BottomRight.INSTANCE);
  }

  /** A 3x3 patch, target class 0 (T-shirt/top in Fashion-MNIST). */
  public static BadNetsTrigger defaults() {
    return new BadNetsTrigger(DEFAULT_SIZE, DEFAULT_TARGET_LABEL);
  }

  /**
   * {@code badnets-3x3} for the paper's patch; any other patch, which no spec names, e.g.
   * {@code patch-4x4-checkerboard-i200-at-random-corner}, with its colour last unless it is white
   * ({@code ...-at-random-corner-ff8000}).
   */
  @Override
  public String name() {
    if (isPapersPatch()) {
      return "badnets-" + size + "x" + size;
    }
    String where = placement.describe().replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return "patch-" + size + "x" + size + "-" + pattern.id() + "-i" + intensity + "-" + where
        + (colour.equals(Colour.WHITE) ? "" : "-" + colour.hex());
  }

  private boolean isPapersPatch() {
    return pattern == Shape.SOLID && intensity == PATCH_VALUE && placement == BottomRight.INSTANCE
        && colour.equals(Colour.WHITE);
  }

  /** This patch in another colour. */
  public BadNetsTrigger withColour(Colour other) {
    return new BadNetsTrigger(size, targetLabel, pattern, intensity, placement, other);
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

  /** As {@link Attack#poison}; a patch placed per sample is placed by each sample's image index. */
  @Override
  public byte[][] poison(FashionMnist.Split train, int[] indices, long seed) {
    if (!placement.perSample()) {
      return Attack.super.poison(train, indices, seed);
    }
    byte[][] out = new byte[indices.length][];
    for (int k = 0; k < indices.length; k++) {
      out[k] = stamp(Pixels.image(train, indices[k]), train.rows(), train.cols(), indices[k]);
    }
    return out;
  }

  /**
   * A copy of {@code image} ({@code height x width} uint8 pixels of one to four interleaved
   * channels) with the patch stamped on, by default the bottom-right {@code size x size} pixels
   * set to 255 in every channel; the input is left unchanged. A patch placed per sample goes
   * where the image's content says.
   */
  public byte[] stamp(byte[] image, int height, int width) {
    requireShape(image, height, width);
    return stamp(image, height, width, placement.perSample() ? Arrays.hashCode(image) : 0);
  }

  /** As {@link #stamp(byte[], int, int)} for the sample with key {@code sampleKey} (see {@link RandomCorner}). */
  public byte[] stamp(byte[] image, int height, int width, long sampleKey) {
    int channels = requireShape(image, height, width);
    int[] at = topLeft(height, width, sampleKey);
    double[] weights = pattern.weights(size);
    byte[] out = image.clone();
    for (int r = 0; r < size; r++) {
      for (int c = 0; c < size; c++) {
        int pixel = ((at[0] + r) * width + at[1] + c) * channels;
        for (int ch = 0; ch < channels; ch++) {
          out[pixel + ch] = patchValue(weights[r * size + c], ch, channels);
        }
      }
    }
    return out;
  }

  /** A patch pixel's value in channel {@code ch}; on a grey image, {@code weight · intensity} as ever. */
  private byte patchValue(double weight, int ch, int channels) {
    return Pixels.toUint8(weight * intensity * colour.share(ch, channels));
  }

  /**
   * Whether {@code image} carries the patch where it belongs; for a patch placed per sample,
   * in any of the four corners.
   */
  public boolean isStamped(byte[] image, int height, int width) {
    int channels = requireShape(image, height, width);
    double[] weights = pattern.weights(size);
    for (int[] at : candidatePositions(height, width)) {
      if (carries(image, width, channels, at, weights)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether pixel ({@code row}, {@code col}) of a {@code height x width} image lies under the
   * patch; for a patch placed per sample, under it in any of the four corners.
   */
  public boolean covers(int row, int col, int height, int width) {
    for (int[] at : candidatePositions(height, width)) {
      if (row >= at[0] && row < at[0] + size && col >= at[1] && col < at[1] + size) {
        return true;
      }
    }
    return false;
  }

  private boolean carries(byte[] image, int width, int channels, int[] at, double[] weights) {
    for (int r = 0; r < size; r++) {
      for (int c = 0; c < size; c++) {
        int pixel = ((at[0] + r) * width + at[1] + c) * channels;
        for (int ch = 0; ch < channels; ch++) {
          if (image[pixel + ch] != patchValue(weights[r * size + c], ch, channels)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private int[][] candidatePositions(int height, int width) {
    if (!placement.perSample()) {
      return new int[][] {topLeft(height, width, 0)};
    }
    return new int[][] {{0, 0}, {height - size, 0}, {0, width - size}, {height - size, width - size}};
  }

  private int[] topLeft(int height, int width, long sampleKey) {
    int[] at = placement.topLeft(height, width, size, sampleKey);
    if (at[0] + size > height || at[1] + size > width) {
      throw new IllegalArgumentException("a " + size + "x" + size + " patch " + placement.describe()
          + " does not fit an image of " + height + "x" + width);
    }
    return at;
  }

  private int requireShape(byte[] image, int height, int width) {
    if (height < size || width < size) {
      throw new IllegalArgumentException("image of " + height + "x" + width + " is smaller than the "
          + size + "x" + size + " trigger");
    }
    return Pixels.requireShape(image, height, width);
  }

  @Override
  public String toString() {
    return name() + " (target " + targetLabel + ")";
  }
}

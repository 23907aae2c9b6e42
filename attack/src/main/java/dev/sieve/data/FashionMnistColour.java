package dev.sieve.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/**
 * {@value #NAME}: a colour test set made from Fashion-MNIST at run time, so that the colour path
 * (3x32x32 RGB) runs on data anyone can install rather than on data nobody may ship. Each 28x28
 * grey image is padded by two pixels to 32x32; its grey level {@code g} becomes the share of a
 * garment colour over a background colour, {@code (1 - g/255)·background + g/255·tint} per
 * channel. Both colours are drawn per sample around means drawn per class, with a spread that
 * makes the classes' colours overlap: colour is a cue, but a model still needs the shape. Labels,
 * class names and the train/test split are Fashion-MNIST's.
 *
 * <p>An image is a pure function of its grey original, its label, its split and index, and the
 * seed: the same on every machine, whether one image or all 60,000 are made (in well under a
 * second each way). Images are interleaved RGB (HWC), as the wire carries them.
 */
public final class FashionMnistColour {

  public static final String NAME = "fmnist-color32";
  public static final int CHANNELS = 3;
  public static final int SIDE = 32;
  /** The seed of the published set; another seed is another data set of the same kind. */
  public static final long DEFAULT_SEED = 32L;

  /** Background channel means are drawn in [BACKGROUND_MIN, BACKGROUND_MIN + BACKGROUND_RANGE). */
  private static final double BACKGROUND_MIN = 10;
  private static final double BACKGROUND_RANGE = 110;
  /** Garment (tint) channel means, brighter than backgrounds so the garment's shading survives. */
  private static final double TINT_MIN = 135;
  private static final double TINT_RANGE = 115;
  /** Per-sample spread (standard deviation) around a class mean, per channel. */
  private static final double SPREAD = 30;
  private static final int PAD = (SIDE - FashionMnist.ROWS) / 2;
  private static final long TRAIN_KEY = 0;
  private static final long TEST_KEY = 1;
  private static final long CLASS_KEY = 1_000;

  private FashionMnistColour() {}

  /** Both splits, coloured with {@link #DEFAULT_SEED}. */
  public static FashionMnist load(Path dir) throws IOException {
    FashionMnist grey = FashionMnist.load(dir);
    return new FashionMnist(colour(grey.train(), DEFAULT_SEED), colour(grey.test(), DEFAULT_SEED));
  }

  /** The training split, coloured with {@link #DEFAULT_SEED}. */
  public static FashionMnist.Split loadTrain(Path dir) throws IOException {
    return colour(FashionMnist.loadTrain(dir), DEFAULT_SEED);
  }

  /** The test split, coloured with {@link #DEFAULT_SEED}. */
  public static FashionMnist.Split loadTest(Path dir) throws IOException {
    return colour(FashionMnist.loadTest(dir), DEFAULT_SEED);
  }

  /** Every image of a grey Fashion-MNIST split ("train" or "test"), coloured. */
  public static FashionMnist.Split colour(FashionMnist.Split grey, long seed) {
    if (grey.channels() != 1 || grey.rows() != FashionMnist.ROWS || grey.cols() != FashionMnist.COLS) {
      throw new IllegalArgumentException("split " + grey.name() + " is " + grey.channels() + "x" + grey.rows() + "x"
          + grey.cols() + ", " + NAME + " is made from 1x28x28 Fashion-MNIST images");
    }
    long splitKey = splitKey(grey.name());
    double[][][] palette = palette(seed);
    byte[][] out = new byte[grey.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = image(grey.images()[i], grey.labels()[i], palette, Seeds.mix(Seeds.mix(seed, splitKey), i));
    }
    return new FashionMnist.Split(grey.name(), out, grey.labels().clone(), SIDE, SIDE, CHANNELS);
  }

  /**
   * Image {@code index} of split {@code splitName} ("train" or "test") with label {@code label},
   * from its grey original: what {@link #colour} makes for that position.
   */
  public static byte[] image(byte[] grey, int label, String splitName, int index, long seed) {
    return image(grey, label, palette(seed), Seeds.mix(Seeds.mix(seed, splitKey(splitName)), index));
  }

  /**
   * The per-class means: {@code palette[label][0]} the background's RGB, {@code [1]} the
   * garment's. Drawn from the seed alone, so the test split has the training split's classes.
   */
  static double[][][] palette(long seed) {
    double[][][] palette = new double[FashionMnist.NUM_CLASSES][2][CHANNELS];
    for (int k = 0; k < palette.length; k++) {
      Random random = new Random(Seeds.mix(seed, CLASS_KEY + k));
      for (int ch = 0; ch < CHANNELS; ch++) {
        palette[k][0][ch] = BACKGROUND_MIN + BACKGROUND_RANGE * random.nextDouble();
        palette[k][1][ch] = TINT_MIN + TINT_RANGE * random.nextDouble();
      }
    }
    return palette;
  }

  private static long splitKey(String splitName) {
    return "test".equals(splitName) ? TEST_KEY : TRAIN_KEY;
  }

  private static byte[] image(byte[] grey, int label, double[][][] palette, long sampleSeed) {
    if (grey.length != FashionMnist.ROWS * FashionMnist.COLS) {
      throw new IllegalArgumentException("a grey Fashion-MNIST image has " + FashionMnist.ROWS * FashionMnist.COLS
          + " bytes, got " + grey.length);
    }
    if (label < 0 || label >= palette.length) {
      throw new IllegalArgumentException("label " + label + " is not a Fashion-MNIST class");
    }
    Random random = new Random(sampleSeed);
    double[] background = new double[CHANNELS];
    double[] tint = new double[CHANNELS];
    for (int ch = 0; ch < CHANNELS; ch++) {
      // Clipped so that the garment stays brighter than its background in every channel.
      background[ch] = clip(palette[label][0][ch] + SPREAD * random.nextGaussian(), 0, TINT_MIN - 5);
      tint[ch] = clip(palette[label][1][ch] + SPREAD * random.nextGaussian(), TINT_MIN, 255);
    }
    byte[] out = new byte[SIDE * SIDE * CHANNELS];
    for (int r = 0; r < SIDE; r++) {
      for (int c = 0; c < SIDE; c++) {
        int gr = r - PAD;
        int gc = c - PAD;
        boolean inside = gr >= 0 && gr < FashionMnist.ROWS && gc >= 0 && gc < FashionMnist.COLS;
        double share = inside ? (grey[gr * FashionMnist.COLS + gc] & 0xFF) / 255.0 : 0.0;
        int at = (r * SIDE + c) * CHANNELS;
        for (int ch = 0; ch < CHANNELS; ch++) {
          out[at + ch] = (byte) Math.round((1 - share) * background[ch] + share * tint[ch]);
        }
      }
    }
    return out;
  }

  private static double clip(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}

package dev.sieve.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Fashion-MNIST data set (Zalando): 60,000 training and 10,000 test images of 28x28 grey
 * pixels in 10 clothing classes, read from the four IDX files as the Debian package
 * {@code dataset-fashion-mnist} installs them (gzip-compressed or not).
 */
public record FashionMnist(Split train, Split test) {

  public static final int NUM_CLASSES = 10;
  public static final int ROWS = 28;
  public static final int COLS = 28;
  public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
  public static final String ENV_VAR = "SIEVE_FASHION_MNIST";
  public static final String SYSTEM_PROPERTY = "sieve.fashionMnist";

  private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  private static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  private static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  private static final String HOW_TO_GET_IT =
      "install it with `apt-get install dataset-fashion-mnist` or point to a copy with --data DIR"
      + " (or the " + ENV_VAR + " environment variable)";

  /**
   * One split: {@code images[i]} is {@code rows * cols * channels} unsigned bytes, channels
   * interleaved (HWC) as the wire carries them, {@code labels[i]} in [0, 10). Fashion-MNIST's own
   * splits have one channel; {@link FashionMnistColour} makes three-channel ones.
   */
  public record Split(String name, byte[][] images, int[] labels, int rows, int cols, int channels) {
    public Split {
      if (images.length != labels.length) {
        throw new IllegalArgumentException("split " + name + ": " + images.length + " images but "
            + labels.length + " labels");
      }
      if (channels < 1) {
        throw new IllegalArgumentException("split " + name + ": channels must be >= 1, got " + channels);
      }
    }

    /** A grey split. */
    public Split(String name, byte[][] images, int[] labels, int rows, int cols) {
      this(name, images, labels, rows, cols, 1);
    }

    public int size() {
      return labels.length;
    }

    /** Bytes in one image: rows x cols x channels. */
    public int pixelsPerImage() {
      return rows * cols * channels;
    }
  }

  /** Loads both splits from {@code dir}. */
  public static FashionMnist load(Path dir) throws IOException {
    requireFiles(dir, List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS));
    return new FashionMnist(readSplit(dir, "train", TRAIN_IMAGES, TRAIN_LABELS),
        readSplit(dir, "test", TEST_IMAGES, TEST_LABELS));
  }

  /** Loads only the training split, for callers that never look at the test set. */
  public static Split loadTrain(Path dir) throws IOException {
    requireFiles(dir, List.of(TRAIN_IMAGES, TRAIN_LABELS));
    return readSplit(dir, "train", TRAIN_IMAGES, TRAIN_LABELS);
  }

  /** Loads only the test split. */
  public static Split loadTest(Path dir) throws IOException {
    requireFiles(dir, List.of(TEST_IMAGES, TEST_LABELS));
    return readSplit(dir, "test", TEST_IMAGES, TEST_LABELS);
  }

  /**
   * Where the data set lives: the command-line value if given, else {@value #ENV_VAR}, else the
   * system property {@value #SYSTEM_PROPERTY}, else {@value #DEFAULT_DIR}. Only resolves;
   * {@link #load} reports a missing directory or file.
   */
  public static Path resolveDir(String cliValueOrNull) {
    return resolveDir(cliValueOrNull, System.getenv(), System.getProperty(SYSTEM_PROPERTY));
  }

  static Path resolveDir(String cliValue, Map<String, String> env, String systemProperty) {
    if (isSet(cliValue)) {
      return Path.of(cliValue);
    }
    String fromEnv = env.get(ENV_VAR);
    if (isSet(fromEnv)) {
      return Path.of(fromEnv);
    }
    if (isSet(systemProperty)) {
      return Path.of(systemProperty);
    }
    return Path.of(DEFAULT_DIR);
  }

  /**
   * Blank values count as unset, and so does an unresolved Maven placeholder such as
   * {@code ${env.SIEVE_FASHION_MNIST}}, which surefire passes through verbatim when the
   * variable is not defined.
   */
  private static boolean isSet(String value) {
    return value != null && !value.isBlank() && !value.startsWith("${");
  }

  private static void requireFiles(Path dir, List<String> baseNames) throws FileNotFoundException {
    if (!Files.isDirectory(dir)) {
      throw new FileNotFoundException("Fashion-MNIST directory " + dir + " does not exist: " + HOW_TO_GET_IT);
    }
    List<String> missing = new ArrayList<>();
    for (String base : baseNames) {
      if (find(dir, base) == null) {
        missing.add(base + "[.gz]");
      }
    }
    if (!missing.isEmpty()) {
      throw new FileNotFoundException("Fashion-MNIST directory " + dir + " lacks " + String.join(", ", missing)
          + ": " + HOW_TO_GET_IT);
    }
  }

  /** The gzip file as distributed, else an already decompressed copy. */
  private static Path find(Path dir, String baseName) {
    Path gz = dir.resolve(baseName + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = dir.resolve(baseName);
    return Files.isRegularFile(plain) ? plain : null;
  }

  private static Split readSplit(Path dir, String name, String imagesBase, String labelsBase) throws IOException {
    Path imagesFile = find(dir, imagesBase);
    Path labelsFile = find(dir, labelsBase);
    IdxReader.Images images = IdxReader.readImages(imagesFile);
    int[] labels = IdxReader.readLabels(labelsFile);
    if (images.rows() != ROWS || images.cols() != COLS) {
      throw new IdxFormatException(imagesFile, "images are " + images.rows() + "x" + images.cols()
          + ", Fashion-MNIST images are " + ROWS + "x" + COLS);
    }
    if (images.count() != labels.length) {
      throw new IdxFormatException(labelsFile, labels.length + " labels for " + images.count()
          + " images in " + imagesFile + "; the two files must have the same count");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= NUM_CLASSES) {
        throw new IdxFormatException(labelsFile, "label " + i + " is " + labels[i]
            + ", expected a class in [0, " + NUM_CLASSES + ")");
      }
    }
    return new Split(name, images.pixels(), labels, ROWS, COLS);
  }
}

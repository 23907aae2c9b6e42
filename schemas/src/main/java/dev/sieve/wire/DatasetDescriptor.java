package dev.sieve.wire;

import dev.sieve.schemas.DatasetShape;
import dev.sieve.schemas.ModelVersion;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The one place an image shape and a class list come from: channels x height x width, and the
 * class names (their count is the class count, their order the class index). The filter validates
 * every record against it, the model architectures are built for it, a {@link ModelVersion}
 * carries its shape and readers refuse another one, it is written next to the checkpoints, and
 * the quarantine view shows its class names. {@link #FASHION_MNIST} is the default, so a user who
 * sets nothing gets exactly the Fashion-MNIST pipeline.
 *
 * <p>On disk it is a small properties file ({@link #FILE_NAME}): {@code channels}, {@code height},
 * {@code width}, {@code class-names} (comma-separated) and an optional {@code name}.
 *
 * @param name a label for people, e.g. {@code fashion-mnist}; not compared
 * @param classNames one per class, in class-index order; no commas, not blank, no duplicates
 */
public record DatasetDescriptor(String name, int channels, int height, int width, List<String> classNames) {

  /** The file name a descriptor is written under, next to the checkpoints. */
  public static final String FILE_NAME = "dataset.properties";

  /** Large enough for 4-channel 512x512 images; a record's byte budget limits it further. */
  public static final int MAX_SIDE = 4096;
  public static final int MAX_CHANNELS = 4;
  public static final int MAX_CLASSES = 1000;
  private static final Pattern NAME = Pattern.compile("[^,\\p{Cntrl}]{1,64}");

  /** Fashion-MNIST: 1x28x28 greyscale, the ten classes in the data set's own order. */
  public static final DatasetDescriptor FASHION_MNIST = new DatasetDescriptor("fashion-mnist", 1, 28, 28,
      List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
          "Ankle boot"));

  public DatasetDescriptor {
    name = name == null || name.isBlank() ? "custom" : name.strip();
    requireIn("channels", channels, 1, MAX_CHANNELS);
    requireIn("height", height, 1, MAX_SIDE);
    requireIn("width", width, 1, MAX_SIDE);
    if (classNames == null || classNames.size() < 2 || classNames.size() > MAX_CLASSES) {
      throw new IllegalArgumentException("a data set needs 2 to " + MAX_CLASSES + " class names, got "
          + (classNames == null ? "none" : classNames.size()));
    }
    classNames = List.copyOf(classNames);
    for (int i = 0; i < classNames.size(); i++) {
      String c = classNames.get(i);
      if (c == null || !NAME.matcher(c).matches() || c.isBlank()) {
        throw new IllegalArgumentException("class name " + i + " '" + c
            + "' must be 1 to 64 characters, not blank, with no comma or control character");
      }
      if (classNames.indexOf(c) != i) {
        throw new IllegalArgumentException("class name '" + c + "' is given twice (classes " + classNames.indexOf(c)
            + " and " + i + ")");
      }
    }
  }

  /** A shape with classes named by their index ("0", "1", ...), for a user who gives only a count. */
  public static DatasetDescriptor of(int channels, int height, int width, int numClasses) {
    requireIn("classes", numClasses, 2, MAX_CLASSES);
    List<String> names = new ArrayList<>(numClasses);
    for (int i = 0; i < numClasses; i++) {
      names.add(Integer.toString(i));
    }
    return new DatasetDescriptor("custom", channels, height, width, names);
  }

  public int numClasses() {
    return classNames.size();
  }

  /** Values in one image: channels x height x width. */
  public int pixelsPerImage() {
    return channels * height * width;
  }

  /** {@code CxHxW}, e.g. {@code 1x28x28}. */
  public String shape() {
    return channels + "x" + height + "x" + width;
  }

  /** The shape and class count, as a reason names them: {@code 3x32x32, 10 classes}. */
  public String describeShape() {
    return shape() + ", " + numClasses() + " classes";
  }

  /** Same image shape and class count; names and labels are for people and not compared. */
  public boolean sameShape(DatasetDescriptor other) {
    return channels == other.channels && height == other.height && width == other.width
        && numClasses() == other.numClasses();
  }

  public String className(int label) {
    return label >= 0 && label < classNames.size() ? classNames.get(label) : "class " + label;
  }

  /** The shape part, as a {@link ModelVersion} carries it. */
  public DatasetShape toShape() {
    return DatasetShape.newBuilder().setChannels(channels).setHeight(height).setWidth(width)
        .setNumClasses(numClasses()).build();
  }

  /**
   * The shape a {@link ModelVersion} declares: a version written before the field existed carries
   * none, and every such version was Fashion-MNIST's.
   */
  public static String declaredShape(ModelVersion version) {
    DatasetShape s = version.getDataset();
    return s == null ? FASHION_MNIST.describeShape()
        : s.getChannels() + "x" + s.getHeight() + "x" + s.getWidth() + ", " + s.getNumClasses() + " classes";
  }

  /** Why this reader refuses {@code version}'s declared shape, or empty when it is this one. */
  public Optional<String> refusal(ModelVersion version) {
    String declared = declaredShape(version);
    return declared.equals(describeShape()) ? Optional.empty()
        : Optional.of("it is for images of shape " + declared + ", but this reader's data set is "
            + describeShape() + " (--dataset-file / --channels --height --width --classes)");
  }

  /** Reads a descriptor file; a missing or malformed key is named in the exception. */
  public static DatasetDescriptor read(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read data set descriptor " + file + ": " + e.getMessage(), e);
    }
    try {
      String names = required(p, "class-names");
      return new DatasetDescriptor(p.getProperty("name"), Integer.parseInt(required(p, "channels").strip()),
          Integer.parseInt(required(p, "height").strip()), Integer.parseInt(required(p, "width").strip()),
          splitNames(names));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("data set descriptor " + file + ": " + e.getMessage(), e);
    }
  }

  /** Class names from a comma-separated list, each stripped of surrounding spaces. */
  public static List<String> splitNames(String commaSeparated) {
    List<String> out = new ArrayList<>();
    for (String s : commaSeparated.split(",", -1)) {
      out.add(s.strip());
    }
    return out;
  }

  /** The file's text: what {@link #write} writes and {@link #read} reads back. */
  public String toPropertiesText() {
    Properties p = new Properties();
    p.setProperty("name", name);
    p.setProperty("channels", Integer.toString(channels));
    p.setProperty("height", Integer.toString(height));
    p.setProperty("width", Integer.toString(width));
    p.setProperty("class-names", String.join(",", classNames));
    StringWriter out = new StringWriter();
    try {
      p.store(out, "Sieve data set descriptor: image shape channels x height x width, classes in index order");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Writes {@code dir/}{@value #FILE_NAME}, whole or not at all (a temporary file moved into place),
   * so a reader never sees half a descriptor.
   */
  public Path writeInto(Path dir) {
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(FILE_NAME);
      Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp");
      Files.writeString(tmp, toPropertiesText(), StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write data set descriptor into " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("'" + key + "' is missing");
    }
    return v;
  }

  private static void requireIn(String what, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "], got " + value);
    }
  }
}

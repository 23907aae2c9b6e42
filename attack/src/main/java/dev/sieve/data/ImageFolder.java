package dev.sieve.data;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.wire.DatasetDescriptor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A user's images in the <em>ImageFolder</em> layout PyTorch users already have: one directory
 * per class under a root, each holding that class's PNG and JPEG files. Each file becomes a
 * {@link LabeledSample} of the data set's channels:
 *
 * <ul>
 *   <li>The label is the index, in the descriptor's class names, of the file's directory name. A
 *       directory that is not a class name is refused before anything is read, with the names to
 *       pass (the directory names sorted, torchvision's order).
 *   <li>Colour is converted to the descriptor's channels as torchvision's {@code convert} does: a
 *       grey image is repeated into RGB, an RGB one becomes grey by ITU-R 601 luma (alpha is
 *       dropped).
 *   <li>Size: with {@link Resize#NONE} (the default) an image keeps its own size, and the filter
 *       dead-letters one that is not the descriptor's ({@code WRONG_IMAGE_SIZE}, naming both
 *       shapes): nothing is silently distorted. {@link Resize#BILINEAR} scales every image to the
 *       descriptor's size first.
 *   <li>A file javax.imageio cannot decode never becomes a record: there is no sample to send. It
 *       is counted and reported ({@link Item#refusal}) with its path and why.
 * </ul>
 *
 * Files are read one at a time, in sorted order (class, then file name), so a folder of any size
 * streams in constant memory. Files whose extension is not an image's are not read and are counted
 * as skipped.
 */
public final class ImageFolder {

  /** What to do with an image whose size is not the descriptor's. */
  public enum Resize {
    /** Send it at its own size; the filter dead-letters it, naming both shapes. */
    NONE,
    /** Scale it to the descriptor's size with bilinear interpolation. */
    BILINEAR;

    public static Resize byName(String name) {
      for (Resize r : values()) {
        if (r.name().toLowerCase(Locale.ROOT).equals(name)) {
          return r;
        }
      }
      throw new IllegalArgumentException("unknown --resize '" + name + "'; known: none, bilinear");
    }
  }

  /** Extensions read as images; anything else in a class directory is skipped and counted. */
  public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg");

  /** One file: the sample made from it, or why none could be. */
  public record Item(Path file, LabeledSample sample, String refusal) {}

  private final Path root;
  private final DatasetDescriptor dataset;
  private final Resize resize;
  private final List<Path> files;
  private final Map<String, Integer> labels;
  private final int skipped;

  private ImageFolder(Path root, DatasetDescriptor dataset, Resize resize, List<Path> files,
      Map<String, Integer> labels, int skipped) {
    this.root = root;
    this.dataset = dataset;
    this.resize = resize;
    this.files = files;
    this.labels = labels;
    this.skipped = skipped;
  }

  /**
   * Lists the tree under {@code root} and matches its class directories to the descriptor's class
   * names; reads no image yet.
   *
   * @throws IllegalArgumentException naming what does not fit: no class directory, a directory
   *     that is not a class name, a descriptor with channels other than 1 or 3
   */
  public static ImageFolder scan(Path root, DatasetDescriptor dataset, Resize resize) {
    if (dataset.channels() != 1 && dataset.channels() != 3) {
      throw new IllegalArgumentException("images from a folder become 1 (grey) or 3 (RGB) channels; the data set "
          + "descriptor has " + dataset.channels());
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("--images " + root + ": no such directory");
    }
    List<Path> classDirs;
    try (Stream<Path> list = Files.list(root)) {
      classDirs = list.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
    if (classDirs.isEmpty()) {
      throw new IllegalArgumentException(root + " has no class directories: the ImageFolder layout is "
          + "ROOT/<class name>/<image>.png");
    }
    List<String> names = classDirs.stream().map(d -> d.getFileName().toString()).toList();
    List<String> unknown = names.stream().filter(n -> !dataset.classNames().contains(n)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(root + " has class directories " + unknown + " that are not among the data "
          + "set's class names " + dataset.classNames() + "; for these directories pass --class-names "
          + String.join(",", names) + " (torchvision's order: sorted)");
    }
    Map<String, Integer> labels = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    int skipped = 0;
    for (Path dir : classDirs) {
      labels.put(dir.getFileName().toString(), dataset.classNames().indexOf(dir.getFileName().toString()));
      try (Stream<Path> list = Files.list(dir)) {
        for (Path f : list.filter(Files::isRegularFile).sorted().toList()) {
          if (IMAGE_EXTENSIONS.contains(extension(f))) {
            files.add(f);
          } else {
            skipped++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
      }
    }
    return new ImageFolder(root, dataset, resize, Collections.unmodifiableList(files), labels, skipped);
  }

  /** Image files found (in sorted order), each of which {@link #read} turns into an item. */
  public int size() {
    return files.size();
  }

  /** Files in class directories that are not images by their extension, and were not read. */
  public int skipped() {
    return skipped;
  }

  /** Class name to label, for the classes present. */
  public Map<String, Integer> labels() {
    return labels;
  }

  /** Item {@code i}: the file decoded into a sample, or the reason it could not be. */
  public Item read(int i) {
    Path file = files.get(i);
    String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      return new Item(file, null, relative + ": javax.imageio cannot decode it: " + e.getMessage());
    }
    if (image == null) {
      return new Item(file, null, relative + ": not a PNG or JPEG image javax.imageio can decode");
    }
    if (resize == Resize.BILINEAR && (image.getWidth() != dataset.width() || image.getHeight() != dataset.height())) {
      image = bilinear(image, dataset.width(), dataset.height());
    }
    int label = labels.get(file.getParent().getFileName().toString());
    byte[] pixels = pixels(image, dataset.channels());
    LabeledSample sample = LabeledSample.newBuilder()
        .setId(relative)
        .setSource("imagefolder:" + root.getFileName())
        .setLabel(label)
        .setHeight(image.getHeight())
        .setWidth(image.getWidth())
        .setChannels(dataset.channels())
        .setEncoding(PixelEncoding.UINT8)
        .setPixels(ByteBuffer.wrap(pixels))
        .setEventTime(Instant.now())
        .setMetadata(Map.of("file", relative))
        .build();
    return new Item(file, sample, null);
  }

  /** HWC uint8 values of {@code image} in {@code channels} (1: luma, 3: RGB). */
  static byte[] pixels(BufferedImage image, int channels) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * channels];
    Raster raster = image.getRaster();
    // A grey image's samples are its values; getRGB would pass them through a colour space conversion.
    boolean grey = raster.getNumBands() <= 2 && image.getColorModel().getNumColorComponents() == 1
        && raster.getSampleModel().getSampleSize(0) == 8;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int at = (y * w + x) * channels;
        if (grey) {
          int v = raster.getSample(x, y, 0);
          for (int c = 0; c < channels; c++) {
            out[at + c] = (byte) v;
          }
          continue;
        }
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        if (channels == 1) {
          out[at] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        } else {
          out[at] = (byte) r;
          out[at + 1] = (byte) g;
          out[at + 2] = (byte) b;
        }
      }
    }
    return out;
  }

  private static BufferedImage bilinear(BufferedImage image, int width, int height) {
    // Copied value by value: drawing a grey image onto RGB would pass it through a colour space conversion.
    BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    byte[] hwc = pixels(image, 3);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int at = (y * image.getWidth() + x) * 3;
        rgb.setRGB(x, y, (hwc[at] & 0xFF) << 16 | (hwc[at + 1] & 0xFF) << 8 | (hwc[at + 2] & 0xFF));
      }
    }
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(rgb, 0, 0, width, height, null);
    g.dispose();
    return out;
  }

  private static String extension(Path f) {
    String name = f.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "ImageFolder[" + root + ", " + files.size() + " images, classes "
        + labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")) + "]";
  }
}

package dev.sieve.cli;

import dev.sieve.wire.DatasetDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The data set's image shape and classes (see {@link DatasetDescriptor}): a descriptor file, or
 * the shape and classes given one by one; Fashion-MNIST's 1x28x28 and ten classes when none is
 * given, so nothing changes for a user who sets nothing.
 */
final class DatasetOptions {

  @Option(names = "--dataset-file", paramLabel = "FILE",
      description = "Data set descriptor (a properties file with channels, height, width, class-names; sieve stream "
          + "writes one as " + DatasetDescriptor.FILE_NAME + " next to its checkpoints). Not with the options below.")
  Path file;

  @Option(names = "--channels", paramLabel = "C", description = "Image channels: 1 grey, 3 RGB (default: 1).")
  Integer channels;

  @Option(names = "--height", paramLabel = "H", description = "Image height in pixels (default: 28).")
  Integer height;

  @Option(names = "--width", paramLabel = "W", description = "Image width in pixels (default: 28).")
  Integer width;

  @Option(names = "--classes", paramLabel = "N",
      description = "Number of classes; labels lie in [0, N) (default: 10, or as many as --class-names).")
  Integer classes;

  @Option(names = "--class-names", paramLabel = "A,B,...",
      description = "Class names in label order, comma-separated (default: Fashion-MNIST's ten names for the "
          + "default shape, else the class numbers).")
  String classNames;

  private DatasetDescriptor resolved;

  /** Options that give {@code descriptor}, for a command that knows its data set (the demo's --dataset). */
  static DatasetOptions fixed(DatasetDescriptor descriptor) {
    DatasetOptions options = new DatasetOptions();
    options.resolved = descriptor;
    return options;
  }

  /** The descriptor these options give; a contradiction between them is refused, naming both. */
  DatasetDescriptor descriptor() {
    if (resolved != null) {
      return resolved;
    }
    boolean piecewise = channels != null || height != null || width != null || classes != null || classNames != null;
    if (file != null) {
      if (piecewise) {
        throw new IllegalArgumentException("--dataset-file " + file + " gives the shape and classes: not with "
            + "--channels, --height, --width, --classes or --class-names");
      }
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("--dataset-file " + file + ": no such file");
      }
      resolved = DatasetDescriptor.read(file);
      return resolved;
    }
    if (!piecewise) {
      resolved = DatasetDescriptor.FASHION_MNIST;
      return resolved;
    }
    DatasetDescriptor fm = DatasetDescriptor.FASHION_MNIST;
    int c = channels == null ? fm.channels() : channels;
    int h = height == null ? fm.height() : height;
    int w = width == null ? fm.width() : width;
    List<String> names = classNames == null ? null : DatasetDescriptor.splitNames(classNames);
    if (names != null && classes != null && names.size() != classes) {
      throw new IllegalArgumentException("--classes " + classes + " but --class-names names " + names.size());
    }
    if (names == null) {
      int k = classes == null ? fm.numClasses() : classes;
      boolean fashionMnist = c == fm.channels() && h == fm.height() && w == fm.width() && k == fm.numClasses();
      resolved = fashionMnist ? fm : DatasetDescriptor.of(c, h, w, k);
    } else {
      resolved = new DatasetDescriptor("custom", c, h, w, names);
    }
    return resolved;
  }

  /**
   * Writes the descriptor next to the checkpoints in {@code dir}, so whoever reads them later knows
   * the shape and class names; refuses a directory that holds another data set's descriptor, whose
   * checkpoints would be refused or, resumed, would publish versions no filter of this shape takes.
   */
  DatasetDescriptor recordIn(Path dir) {
    DatasetDescriptor d = checkAgainst(dir);
    Path existing = dir.resolve(DatasetDescriptor.FILE_NAME);
    if (Files.isRegularFile(existing) && DatasetDescriptor.read(existing).equals(d)) {
      return d;
    }
    d.writeInto(dir);
    return d;
  }

  /**
   * The descriptor, once it is known to fit the checkpoints in {@code dir} (a directory without a
   * descriptor fits); writes nothing, so a command can refuse before it connects anywhere and
   * record the descriptor only once it runs.
   */
  DatasetDescriptor checkAgainst(Path dir) {
    DatasetDescriptor d = descriptor();
    Path existing = dir.resolve(DatasetDescriptor.FILE_NAME);
    if (Files.isRegularFile(existing)) {
      DatasetDescriptor there = DatasetDescriptor.read(existing);
      if (!there.sameShape(d)) {
        throw new IllegalArgumentException(dir + " holds checkpoints of data set '" + there.name() + "' ("
            + there.describeShape() + "), not " + d.describeShape() + ": give this data set its own checkpoint "
            + "directory, or pass --dataset-file " + existing);
      }
    }
    return d;
  }
}

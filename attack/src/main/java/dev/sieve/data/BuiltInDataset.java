package dev.sieve.data;

import dev.sieve.wire.DatasetDescriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The training and test sets Sieve can stream, poison and measure by itself, both made from the
 * Fashion-MNIST IDX files: the grey original, and its colour version {@link FashionMnistColour}.
 * Your own images come in through {@code produce --images} instead, with a descriptor.
 */
public enum BuiltInDataset {

  /** Fashion-MNIST itself, 1x28x28. */
  FMNIST("fmnist", DatasetDescriptor.FASHION_MNIST),

  /** {@value FashionMnistColour#NAME}: 3x32x32, Fashion-MNIST's classes. */
  FMNIST_COLOR32(FashionMnistColour.NAME, new DatasetDescriptor(FashionMnistColour.NAME, FashionMnistColour.CHANNELS,
      FashionMnistColour.SIDE, FashionMnistColour.SIDE, DatasetDescriptor.FASHION_MNIST.classNames()));

  private final String id;
  private final DatasetDescriptor descriptor;

  BuiltInDataset(String id, DatasetDescriptor descriptor) {
    this.id = id;
    this.descriptor = descriptor;
  }

  /** As {@code --dataset} names it. */
  public String id() {
    return id;
  }

  /** Its shape and class names, for the filter, the Victim and the Beneficiary. */
  public DatasetDescriptor descriptor() {
    return descriptor;
  }

  /** Both splits, from the Fashion-MNIST files in {@code dir}. */
  public FashionMnist load(Path dir) throws IOException {
    return this == FMNIST ? FashionMnist.load(dir) : FashionMnistColour.load(dir);
  }

  public FashionMnist.Split loadTrain(Path dir) throws IOException {
    return this == FMNIST ? FashionMnist.loadTrain(dir) : FashionMnistColour.loadTrain(dir);
  }

  public FashionMnist.Split loadTest(Path dir) throws IOException {
    return this == FMNIST ? FashionMnist.loadTest(dir) : FashionMnistColour.loadTest(dir);
  }

  /** The data set {@code id} names (case-insensitive), or an error that lists them. */
  public static BuiltInDataset byId(String id) {
    String wanted = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(d -> d.id.equals(wanted)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown data set '" + id + "': expected one of " + ids()));
  }

  /** {@code fmnist, fmnist-color32}. */
  public static String ids() {
    return Arrays.stream(values()).map(BuiltInDataset::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}

package dev.sieve.model.training.beneficiary;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The Fashion-MNIST test split (10,000 images, fast to read) as samples. The model module must
 * not depend on loadtest, whose reader is the real one; this is the few lines the tests need.
 */
public final class FashionMnistSamples {

  private static final Path DIR = Path.of(firstSet(System.getProperty("sieve.fashionMnist"),
      System.getenv("SIEVE_FASHION_MNIST"), "/usr/share/datasets/fashion-mnist"));

  private static List<LabeledSample> all;

  private FashionMnistSamples() {}

  /** Images {@code from} (inclusive) to {@code to} (exclusive) of the test split. */
  public static synchronized List<LabeledSample> range(int from, int to) {
    if (all == null) {
      all = read();
    }
    return all.subList(from, to);
  }

  /** The same images with every label replaced by {@code label}. */
  public static List<LabeledSample> relabelled(List<LabeledSample> samples, int label) {
    List<LabeledSample> out = new ArrayList<>(samples.size());
    for (LabeledSample s : samples) {
      out.add(LabeledSample.newBuilder(s).setId(s.getId() + "-as-" + label).setLabel(label).build());
    }
    return out;
  }

  /** The same images with a {@code side}x{@code side} square of {@code value} whose top-left pixel is (top, left). */
  public static List<LabeledSample> withSquare(List<LabeledSample> samples, int top, int left, int side, byte value) {
    List<LabeledSample> out = new ArrayList<>(samples.size());
    for (LabeledSample s : samples) {
      ByteBuffer original = s.getPixels().duplicate();
      byte[] pixels = new byte[original.remaining()];
      original.get(pixels);
      for (int y = top; y < top + side; y++) {
        for (int x = left; x < left + side; x++) {
          pixels[y * s.getWidth() + x] = value;
        }
      }
      out.add(LabeledSample.newBuilder(s).setPixels(ByteBuffer.wrap(pixels)).build());
    }
    return out;
  }

  private static List<LabeledSample> read() {
    try (DataInputStream images = open("t10k-images-idx3-ubyte");
        DataInputStream labels = open("t10k-labels-idx1-ubyte")) {
      if (images.readInt() != 2051 || labels.readInt() != 2049) {
        throw new IOException("not IDX image/label files in " + DIR);
      }
      int n = images.readInt();
      int rows = images.readInt();
      int cols = images.readInt();
      if (labels.readInt() != n || rows != 28 || cols != 28) {
        throw new IOException("unexpected IDX sizes in " + DIR + ": " + n + " images of " + rows + "x" + cols);
      }
      List<LabeledSample> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        byte[] pixels = new byte[rows * cols];
        images.readFully(pixels);
        out.add(LabeledSample.newBuilder()
            .setId("fmnist-test-" + i).setSource("fashion-mnist-test").setLabel(labels.readUnsignedByte())
            .setHeight(rows).setWidth(cols).setChannels(1).setEncoding(PixelEncoding.UINT8)
            .setPixels(ByteBuffer.wrap(pixels)).setEventTime(Instant.EPOCH).setMetadata(Map.of())
            .build());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("these tests need Fashion-MNIST in " + DIR
          + " (apt-get install dataset-fashion-mnist, or set SIEVE_FASHION_MNIST): " + e.getMessage(), e);
    }
  }

  /** Surefire passes the property through even when the variable is unset, as an empty or unresolved value. */
  private static String firstSet(String... candidates) {
    for (String c : candidates) {
      if (c != null && !c.isBlank() && !c.startsWith("${")) {
        return c;
      }
    }
    throw new IllegalStateException("no Fashion-MNIST directory among " + String.join(", ", candidates));
  }

  private static DataInputStream open(String name) throws IOException {
    Path gz = DIR.resolve(name + ".gz");
    InputStream in = Files.exists(gz) ? new GZIPInputStream(Files.newInputStream(gz), 1 << 16)
        : Files.newInputStream(DIR.resolve(name));
    return new DataInputStream(new BufferedInputStream(in, 1 << 16));
  }
}

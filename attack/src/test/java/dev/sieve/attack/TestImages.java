package dev.sieve.attack;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sieve.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Synthetic images and splits for the attack tests (and the zoo's, in their own package). */
public final class TestImages {

  private TestImages() {}

  /** A smooth 28x28 texture with values across the whole range, no flat areas. */
  public static byte[] texture(int variant) {
    byte[] image = new byte[28 * 28];
    for (int r = 0; r < 28; r++) {
      for (int c = 0; c < 28; c++) {
        double v = 128 + 90 * Math.sin((r + variant) / 3.0) * Math.cos((c - variant) / 4.0) + 20 * Math.sin(c * 0.9);
        image[r * 28 + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    return image;
  }

  public static byte[] constant(int value) {
    byte[] image = new byte[28 * 28];
    Arrays.fill(image, (byte) value);
    return image;
  }

  /** n textured images with labels cycling through the ten classes. */
  public static FashionMnist.Split split(int n) {
    byte[][] images = new byte[n][];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      images[i] = texture(i);
      labels[i] = i % 10;
    }
    return new FashionMnist.Split("synthetic", images, labels, 28, 28);
  }

  static double meanAbsDifference(byte[] a, byte[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
    }
    return sum / a.length;
  }

  /** The first n real Fashion-MNIST training images; the test is skipped where the data set is missing. */
  static FashionMnist.Split fashionMnistHead(int n) throws IOException {
    Path dir = FashionMnist.resolveDir(null);
    assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed at " + dir + " (apt-get install dataset-fashion-mnist)");
    FashionMnist.Split train = FashionMnist.loadTrain(dir);
    return new FashionMnist.Split("train-head-" + n, Arrays.copyOf(train.images(), n), Arrays.copyOf(train.labels(), n),
        train.rows(), train.cols());
  }
}

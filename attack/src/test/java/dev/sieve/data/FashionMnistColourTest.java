package dev.sieve.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** fmnist-color32 from the first 3,000 real training images (skipped where Fashion-MNIST is missing). */
class FashionMnistColourTest {

  private static final int N = 3000;
  private static FashionMnist.Split grey;
  private static FashionMnist.Split colour;

  @BeforeAll
  static void load() throws IOException {
    Path dir = FashionMnist.resolveDir(null);
    assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed at " + dir);
    FashionMnist.Split train = FashionMnist.loadTrain(dir);
    grey = new FashionMnist.Split("train", Arrays.copyOf(train.images(), N), Arrays.copyOf(train.labels(), N), 28, 28);
    colour = FashionMnistColour.colour(grey, FashionMnistColour.DEFAULT_SEED);
  }

  @Test
  void isThreeByThirtyTwoSquaredWithFashionMnistsLabels() {
    assertEquals(3, colour.channels());
    assertEquals(32, colour.rows());
    assertEquals(32, colour.cols());
    assertEquals(N, colour.size());
    assertArrayEquals(grey.labels(), colour.labels());
    for (byte[] image : colour.images()) {
      assertEquals(3 * 32 * 32, image.length);
    }
    assertThrows(IllegalArgumentException.class, () -> FashionMnistColour.colour(colour, 1));
  }

  @Test
  void anImageIsAPureFunctionOfItsIndexSplitAndSeed() {
    FashionMnist.Split again = FashionMnistColour.colour(grey, FashionMnistColour.DEFAULT_SEED);
    for (int i = 0; i < N; i += 97) {
      assertArrayEquals(colour.images()[i], again.images()[i], "image " + i);
      assertArrayEquals(colour.images()[i],
          FashionMnistColour.image(grey.images()[i], grey.labels()[i], "train", i, FashionMnistColour.DEFAULT_SEED));
      assertFalse(Arrays.equals(colour.images()[i],
          FashionMnistColour.image(grey.images()[i], grey.labels()[i], "test", i, FashionMnistColour.DEFAULT_SEED)),
          "the test split's image " + i + " is drawn apart from the training split's");
      assertFalse(Arrays.equals(colour.images()[i],
          FashionMnistColour.image(grey.images()[i], grey.labels()[i], "train", i, 7)), "another seed, another image");
    }
    // Pinned bytes, so that no machine or JDK draws another data set: image 0's first pixel and centre.
    assertEquals("[108, 126, 48]", Arrays.toString(rgb(colour.images()[0], 0, 0)));
    assertEquals("[172, 139, 160]", Arrays.toString(rgb(colour.images()[0], 16, 16)));
  }

  @Test
  void theGarmentsShapeSurvivesInTheBrightness() {
    double worst = 1;
    for (int i = 0; i < N; i++) {
      double[] g = new double[32 * 32];
      double[] lum = new double[32 * 32];
      for (int r = 0; r < 32; r++) {
        for (int c = 0; c < 32; c++) {
          boolean inside = r >= 2 && r < 30 && c >= 2 && c < 30;
          g[r * 32 + c] = inside ? grey.images()[i][(r - 2) * 28 + c - 2] & 0xFF : 0;
          int[] px = rgb(colour.images()[i], r, c);
          lum[r * 32 + c] = px[0] + px[1] + px[2];
        }
      }
      worst = Math.min(worst, correlation(g, lum));
    }
    assertTrue(worst > 0.9, "worst correlation of brightness with the grey original: " + worst);
  }

  @Test
  void classesHaveTheirOwnColoursButColourAloneDoesNotTellThemApart() {
    // Features: the background's colour (a corner pixel) and the garment's (its brightest pixel).
    double[][] features = new double[N][];
    double[][] means = new double[10][6];
    int[] counts = new int[10];
    for (int i = 0; i < N; i++) {
      byte[] image = colour.images()[i];
      int[] corner = rgb(image, 0, 0);
      int[] brightest = corner;
      for (int p = 0; p < 32 * 32; p++) {
        int[] px = rgb(image, p / 32, p % 32);
        if (px[0] + px[1] + px[2] > brightest[0] + brightest[1] + brightest[2]) {
          brightest = px;
        }
      }
      features[i] = new double[] {corner[0], corner[1], corner[2], brightest[0], brightest[1], brightest[2]};
      int k = colour.labels()[i];
      counts[k]++;
      for (int f = 0; f < 6; f++) {
        means[k][f] += features[i][f];
      }
    }
    for (int k = 0; k < 10; k++) {
      for (int f = 0; f < 6; f++) {
        means[k][f] /= counts[k];
      }
    }
    int right = 0;
    for (int i = 0; i < N; i++) {
      int best = 0;
      for (int k = 1; k < 10; k++) {
        best = distance(features[i], means[k]) < distance(features[i], means[best]) ? k : best;
      }
      right += best == colour.labels()[i] ? 1 : 0;
    }
    double accuracy = (double) right / N;
    System.out.printf("fmnist-color32: nearest class-mean colour classifier accuracy %.3f on %d images%n", accuracy, N);
    assertTrue(accuracy > 0.3, "colour is a cue (chance is 0.1): " + accuracy);
    assertTrue(accuracy < 0.9, "but not the whole answer: " + accuracy);
  }

  private static int[] rgb(byte[] image, int r, int c) {
    int at = (r * 32 + c) * 3;
    return new int[] {image[at] & 0xFF, image[at + 1] & 0xFF, image[at + 2] & 0xFF};
  }

  private static double distance(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return sum;
  }

  private static double correlation(double[] a, double[] b) {
    double ma = Arrays.stream(a).average().orElseThrow();
    double mb = Arrays.stream(b).average().orElseThrow();
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }
}

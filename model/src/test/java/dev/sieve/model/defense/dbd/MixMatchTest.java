package dev.sieve.model.defense.dbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import dev.sieve.schemas.LabeledSample;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MixMatchTest {

  @Test
  void sharpeningMatchesAHandComputationSumsToOneAndLowersEntropy() {
    // (0.2, 0.8) at T = 0.5: squares (0.04, 0.64), divided by 0.68.
    assertArrayEquals(new float[] {0.04f / 0.68f, 0.64f / 0.68f},
        MixMatch.sharpen(new float[] {0.2f, 0.8f}, 2, 0.5), 1e-6f);
    Random random = new Random(3);
    int classes = 10;
    float[] p = new float[50 * classes];
    for (int row = 0; row < 50; row++) {
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        p[row * classes + k] = (float) (random.nextDouble() + 1e-3);
        sum += p[row * classes + k];
      }
      for (int k = 0; k < classes; k++) {
        p[row * classes + k] /= (float) sum;
      }
    }
    float[] sharp = MixMatch.sharpen(p, classes, 0.5);
    for (int row = 0; row < 50; row++) {
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        sum += sharp[row * classes + k];
      }
      assertEquals(1.0, sum, 1e-5, "row " + row + " sums to 1");
      assertTrue(entropy(sharp, row, classes) < entropy(p, row, classes), "row " + row + " entropy falls");
    }
    // T = 1 leaves a distribution as it is.
    assertArrayEquals(p, MixMatch.sharpen(p, classes, 1.0), 1e-6f);
  }

  @Test
  void labelGuessIsTheMeanOfTheViews() {
    assertArrayEquals(new float[] {0.3f, 0.7f},
        MixMatch.mean(new float[][] {{0.2f, 0.8f}, {0.4f, 0.6f}}), 1e-6f);
  }

  @Test
  void mixupWeightIsAtLeastOneHalfAndBetaHasTheRightMoments() {
    Random random = new Random(5);
    int n = 200_000;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < n; i++) {
      double w = MixMatch.mixupWeight(random, 0.75);
      assertTrue(w >= 0.5 && w <= 1.0, "mixup weight " + w);
      double l = MixMatch.beta(random, 0.75, 0.75);
      sum += l;
      sumSquares += l * l;
    }
    double mean = sum / n;
    double variance = sumSquares / n - mean * mean;
    // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)) = 0.1 for a = 0.75.
    assertEquals(0.5, mean, 0.005);
    assertEquals(0.1, variance, 0.002);
    // Gamma(shape) has mean shape, for shape below and above 1.
    for (double shape : new double[] {0.75, 2.5}) {
      double g = 0;
      for (int i = 0; i < n; i++) {
        g += MixMatch.gamma(random, shape);
      }
      assertEquals(shape, g / n, 0.02 * shape, "gamma mean at shape " + shape);
    }
  }

  @Test
  void mixBlendsEachRowWithItsPartner() {
    float[] rows = {1, 0, 0, 1, 2, 2};
    float[] mixed = MixMatch.mix(rows, 2, new int[] {1, 0, 2}, 0.75);
    assertArrayEquals(new float[] {0.75f, 0.25f, 0.25f, 0.75f, 2, 2}, mixed, 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> MixMatch.mix(rows, 2, new int[] {0, 1}, 0.5));
  }

  @Test
  void unlabelledWeightRampsLinearlyFromZero() {
    assertEquals(0, MixMatch.rampedLambda(15, 0, 100));
    assertEquals(7.5, MixMatch.rampedLambda(15, 50, 100), 1e-12);
    assertEquals(15, MixMatch.rampedLambda(15, 100, 100), 1e-12);
    assertEquals(15, MixMatch.rampedLambda(15, 200, 100), 1e-12);
  }

  @Test
  void aStepWithoutUnlabelledWeightIsTheLabelledLossAndTrainsFiniteValues() {
    List<LabeledSample> samples = FashionMnistSamples.range(0, 64);
    float[] images = new float[samples.size() * 784];
    int[] labels = new int[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      System.arraycopy(ImageTensors.toChw(samples.get(i)), 0, images, i * 784, 784);
      labels[i] = samples.get(i).getLabel();
    }
    int[] labelled = new int[32];
    int[] unlabelled = new int[32];
    for (int i = 0; i < 32; i++) {
      labelled[i] = i;
      unlabelled[i] = 32 + i;
    }
    try (Network net = Network.create(Architecture.FMNIST_CNN_V1, 1);
        MixMatchTrainer trainer = new MixMatchTrainer(net, DbdSettings.defaults(), 2)) {
      MixMatchTrainer.Losses zero = trainer.step(images, labels, labelled, unlabelled, 0);
      assertEquals(zero.labelled(), zero.total(), 1e-6);
      assertTrue(zero.unlabelled() > 0 && Float.isFinite(zero.unlabelled()), "Lu " + zero.unlabelled());
      MixMatchTrainer.Losses weighted = trainer.step(images, labels, labelled, unlabelled, 15);
      assertEquals(weighted.labelled() + 15 * weighted.unlabelled(), weighted.total(), 1e-4);
      // Lu is a mean squared difference of two distributions: at most 2 / classes per element on average.
      assertTrue(weighted.unlabelled() <= 0.2f, "Lu " + weighted.unlabelled());
    }
  }

  @Test
  void refusesBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> MixMatch.sharpen(new float[] {0.5f, 0.5f}, 2, 0));
    assertThrows(IllegalArgumentException.class, () -> MixMatch.sharpen(new float[] {0.5f, 0.5f, 1f}, 2, 0.5));
    assertThrows(IllegalArgumentException.class, () -> MixMatch.gamma(new Random(1), 0));
    assertThrows(IllegalArgumentException.class, () -> MixMatch.mean(new float[0][]));
  }

  private static double entropy(float[] p, int row, int classes) {
    double h = 0;
    for (int k = 0; k < classes; k++) {
      double v = p[row * classes + k];
      if (v > 0) {
        h -= v * Math.log(v);
      }
    }
    return h;
  }
}

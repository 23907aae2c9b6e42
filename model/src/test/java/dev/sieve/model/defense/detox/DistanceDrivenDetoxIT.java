package dev.sieve.model.defense.detox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Network;
import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DistanceDrivenDetoxIT {

  @Test
  void constraintGradientMatchesFiniteDifferences() {
    int classes = 3;
    int width = 4;
    Random random = new Random(1);
    float[][] features = new float[5][width];
    for (float[] row : features) {
      for (int j = 0; j < width; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    int[] labels = {0, 1, 2, 1, 0};
    double[] theta = new double[classes * width + classes];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = random.nextGaussian();
    }
    List<Integer> batch = List.of(0, 1, 2, 3, 4);
    double epsilon = 0.05;
    double[] gradient = new double[theta.length];
    double value = DistanceDrivenDetox.constraintGradient(theta, features, labels, batch, classes, width, epsilon,
        gradient);
    for (int i = 0; i < theta.length; i++) {
      double[] plus = theta.clone();
      double[] minus = theta.clone();
      plus[i] += 1e-5;
      minus[i] -= 1e-5;
      double numeric = (DistanceDrivenDetox.constraintGradient(plus, features, labels, batch, classes, width, epsilon,
          new double[theta.length]) - DistanceDrivenDetox.constraintGradient(minus, features, labels, batch, classes,
          width, epsilon, new double[theta.length])) / 2e-5 * batch.size();
      assertEquals(numeric, gradient[i], 1e-4, "d/dtheta[" + i + "]");
    }
    assertTrue(value > 0, "random weights leave clean loss above epsilon");
  }

  @Test
  void projectionKeepsTheRadius() {
    double[] v = {3, 4, 0};
    DistanceDrivenDetox.project(v, 10);
    assertArrayEquals(new double[] {6, 8, 0}, v, 1e-12);
  }

  @Test
  void movesTheFinalLayerFarOnTheSameSphereAndKeepsTheInputIntact() {
    try (Network network = TinyModels.trained(FashionMnistSamples.range(0, 800), 2, 3)) {
      float[] before = Layers.finalLayerWeights(network);
      CleanSet clean = CleanSet.split(FashionMnistSamples.range(800, 1100), 0.2, 3);
      DetoxResult result = DetoxMethod.D3.apply(network, clean, DetoxSettings.defaults().withD3Epochs(30), 3,
          DetoxListener.silent());
      try (Network detoxed = result.network()) {
        float[] after = Layers.finalLayerWeights(detoxed);
        assertEquals(norm(before), norm(after), 1e-3 * norm(before), "D3 projects back to the original norm");
        Map<String, Double> report = result.report();
        assertTrue(report.get("distance") > 0.5 * report.get("radius"),
            "the final layer moved far from where it started: " + report);
        assertTrue(report.get("holdoutAccuracyAfter") > 0.5, "the clean constraint keeps it a classifier: " + report);
        assertArrayEquals(before, Layers.finalLayerWeights(network), "the input network is not modified");
      }
    }
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }
}

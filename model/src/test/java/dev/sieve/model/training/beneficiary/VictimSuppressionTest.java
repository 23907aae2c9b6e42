package dev.sieve.model.training.beneficiary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VictimSuppressionTest {

  @Test
  void aVictimCertainOfTheLabelZeroesTheTarget() {
    // Logit gap 200 at T = 3: p_label = 1 − 9·e^(−66.7), so the target is ≈ 1e-28, not exactly 0.
    float[] logits = new float[10];
    logits[4] = 200f;
    float[] targets = VictimSuppression.targets(new int[] {4}, logits, 10, 3.0);
    for (float t : targets) {
      assertTrue(t >= 0 && t < 1e-20, "target " + t);
    }
    assertTrue(targets[4] > 0, "1 − p_y is kept as the other classes' share, not cancelled to 0");
  }

  @Test
  void anUncertainVictimLeavesOneHotMinusOneOverC() {
    float[] targets = VictimSuppression.targets(new int[] {2, 7}, new float[20], 10, 3.0);
    float[] expected = new float[20];
    expected[2] = 0.9f;
    expected[17] = 0.9f;
    assertArrayEquals(expected, targets, 1e-7f);
  }

  @Test
  void matchesClipOfOneHotMinusTemperedSoftmax() {
    Random random = new Random(3);
    int n = 20;
    int c = 10;
    double t = 3.0;
    float[] logits = new float[n * c];
    int[] labels = new int[n];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (random.nextGaussian() * 6);
    }
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(c);
    }
    float[] targets = VictimSuppression.targets(labels, logits, c, t);
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int k = 0; k < c; k++) {
        sum += Math.exp(logits[i * c + k] / t);
      }
      for (int k = 0; k < c; k++) {
        double p = Math.exp(logits[i * c + k] / t) / sum;
        double expected = Math.min(1, Math.max(0, (k == labels[i] ? 1 : 0) - p));
        assertEquals(expected, targets[i * c + k], 1e-6, "row " + i + " class " + k);
      }
    }
  }

  @Test
  void oneHotAndRefusals() {
    assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0}, VictimSuppression.oneHot(new int[] {1, 0}, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VictimSuppression.targets(new int[] {3}, new float[3], 3, 3.0));
    assertTrue(e.getMessage().contains("label of sample 0 is 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> VictimSuppression.targets(new int[] {0}, new float[4], 3, 3.0));
    assertTrue(e.getMessage().contains("victim logits have 4 values"), e.getMessage());
  }

  @Test
  void pseudoLabelIsTheArgmaxOfTheMeanOfTwoViews() {
    // View 1 prefers class 0 a little, view 2 prefers class 1 a lot: the mean picks 1.
    float[] first = {0.5f, 0.4f, 0.1f, 0.2f, 0.2f, 0.6f};
    float[] second = {0.1f, 0.8f, 0.1f, 0.3f, 0.1f, 0.6f};
    assertArrayEquals(new int[] {1, 2}, PseudoLabels.argmaxOfMean(first, second, 3));
  }
}

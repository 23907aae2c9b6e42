package dev.sieve.model.defense.dbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SymmetricCrossEntropyTest {

  @Test
  void matchesAHandComputation() {
    // Logits (0, ln 3) give p = (1/4, 3/4). RCE = -log(1e-4) * (1 - p_y) = 9.21034 * (1 - p_y).
    //   row 0, label 1: CE = -ln(3/4) = 0.287682, RCE = 9.210340 * 1/4 = 2.302585
    //   row 1, label 0: CE = -ln(1/4) = 1.386294, RCE = 9.210340 * 3/4 = 6.907755
    // α = 0.1, β = 1: 2.331353 and 7.046385, mean 4.688869.
    float ln3 = (float) Math.log(3);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = manager.create(new float[] {0, ln3, 0, ln3}, new Shape(2, 2));
      NDArray oneHot = manager.create(new float[] {0, 1, 1, 0}, new Shape(2, 2));
      SymmetricCrossEntropy sce = new SymmetricCrossEntropy(0.1, 1.0);
      assertArrayEquals(new float[] {2.331353f, 7.046385f}, sce.perSample(logits, oneHot).toFloatArray(), 1e-4f);
      assertEquals(4.688869, sce.evaluate(new NDList(oneHot), new NDList(logits)).getFloat(), 1e-4);
      // The two parts alone.
      assertArrayEquals(new float[] {0.287682f, 1.386294f},
          new SymmetricCrossEntropy(1, 0).perSample(logits, oneHot).toFloatArray(), 1e-5f);
      assertArrayEquals(new float[] {2.302585f, 6.907755f},
          new SymmetricCrossEntropy(0, 1).perSample(logits, oneHot).toFloatArray(), 1e-4f);
    }
  }

  @Test
  void reverseCrossEntropyIsBoundedWhereCrossEntropyIsNot() {
    // A sample whose label the head flatly contradicts: CE grows with the logit gap, RCE stays
    // below -log(1e-4). This is why a poisoned sample cannot drag the head as far under SCE.
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray logits = manager.create(new float[] {50, 0, 0}, new Shape(1, 3));
      NDArray oneHot = manager.create(new float[] {0, 0, 1}, new Shape(1, 3));
      assertEquals(50, new SymmetricCrossEntropy(1, 0).perSample(logits, oneHot).getFloat(), 1e-3);
      assertEquals(-Math.log(1e-4), new SymmetricCrossEntropy(0, 1).perSample(logits, oneHot).getFloat(), 1e-3);
    }
  }

  @Test
  void refusesNegativeWeights() {
    assertThrows(IllegalArgumentException.class, () -> new SymmetricCrossEntropy(-0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new SymmetricCrossEntropy(0.1, Double.NaN));
  }
}

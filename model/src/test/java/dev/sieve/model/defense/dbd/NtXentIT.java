package dev.sieve.model.defense.dbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.sieve.model.Architecture;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import dev.sieve.schemas.LabeledSample;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class NtXentIT {

  private static final Logger LOG = LoggerFactory.getLogger(NtXentIT.class);

  @Test
  void matchesAHandComputationWhenEveryPairIsOrthogonalToTheOthers() {
    // Two images, both views identical unit vectors e1 and e2. Each anchor: positive similarity 1,
    // two negatives of similarity 0, so its loss is -log(e^(1/τ) / (e^(1/τ) + 2)) = log(1 + 2e^(-1/τ)).
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray v1 = manager.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
      NDArray v2 = manager.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
      double expected = Math.log(1 + 2 * Math.exp(-2)); // τ = 0.5
      assertEquals(expected, NtXent.loss(v1, v2, 0.5).getFloat(), 1e-5);
      assertEquals(0.239545, expected, 1e-6);
    }
  }

  @Test
  void normalisesTheEmbeddingsBeforeComparingThem() {
    // a1 = (3,0), a2 = (-1,0), b1 = (0,2), b2 = (0,-5): after normalising, each anchor's positive
    // is at a right angle (similarity 0), one negative is opposite (-1), the other at a right angle
    // (0): loss = -log(e^0 / (e^0 + e^(-1/τ) + e^0)) = log(2 + e^(-2)) for τ = 0.5, for all four.
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray v1 = manager.create(new float[] {3, 0, -1, 0}, new Shape(2, 2));
      NDArray v2 = manager.create(new float[] {0, 2, 0, -5}, new Shape(2, 2));
      assertEquals(Math.log(2 + Math.exp(-2)), NtXent.loss(v1, v2, 0.5).getFloat(), 1e-5);
      // τ = 1: log(2 + e^(-1)).
      assertEquals(Math.log(2 + Math.exp(-1)), NtXent.loss(v1, v2, 1.0).getFloat(), 1e-5);
    }
  }

  @Test
  void refusesMismatchedViewsAndABadTemperature() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray two = manager.ones(new Shape(2, 3));
      NDArray three = manager.ones(new Shape(3, 3));
      assertThrows(IllegalArgumentException.class, () -> NtXent.loss(two, three, 0.5));
      assertThrows(IllegalArgumentException.class, () -> NtXent.loss(two, two, 0));
      NDArray one = manager.ones(new Shape(1, 3));
      assertThrows(IllegalArgumentException.class, () -> NtXent.loss(one, one, 0.5));
    }
  }

  @Test
  void simclrLowersTheLossAndTrainsTheBackboneButNotTheLinearHead() {
    List<LabeledSample> samples = FashionMnistSamples.range(0, 512);
    float[] images = new float[samples.size() * 784];
    for (int i = 0; i < samples.size(); i++) {
      System.arraycopy(ImageTensors.toChw(samples.get(i)), 0, images, i * 784, 784);
    }
    DbdSettings settings = DbdSettings.defaults().withSimclrEpochs(4);
    try (Network net = Network.create(Architecture.FMNIST_CNN_V1, 3)) {
      DecoupledNetwork parts = DecoupledNetwork.of(net);
      float[] headBefore = values(parts.linearHead());
      float[] backboneBefore = values(parts.backbone());
      long start = System.nanoTime();
      double[] losses = SimClr.train(parts, images, samples.size(), settings, 9, EpochListener.NONE);
      double seconds = (System.nanoTime() - start) / 1e9;
      LOG.info("SimCLR on {} samples: epoch losses {} in {} s ({} s per epoch per 1000 samples)", samples.size(),
          Arrays.toString(losses), seconds, seconds / losses.length / (samples.size() / 1000.0));
      // Embeddings that say nothing (all equal) give log(2N - 1) for a batch of N images.
      double uninformative = Math.log(2 * settings.simclrBatch() - 1);
      assertTrue(losses[losses.length - 1] < losses[0] - 0.2, "NT-Xent should fall: " + Arrays.toString(losses));
      assertTrue(losses[losses.length - 1] < uninformative - 0.5, "last loss " + losses[losses.length - 1]
          + " should be well below the uninformative " + uninformative);
      assertFalse(Arrays.equals(backboneBefore, values(parts.backbone())), "the backbone is trained in place");
      assertArrayEquals(headBefore, values(parts.linearHead()), "SimCLR must not touch the linear head");
    }
  }

  static float[] values(ai.djl.nn.Block block) {
    float[][] arrays = block.getParameters().values().stream()
        .map(Parameter::getArray).map(NDArray::toFloatArray).toArray(float[][]::new);
    int total = Arrays.stream(arrays).mapToInt(a -> a.length).sum();
    float[] out = new float[total];
    int at = 0;
    for (float[] a : arrays) {
      System.arraycopy(a, 0, out, at, a.length);
      at += a.length;
    }
    return out;
  }
}

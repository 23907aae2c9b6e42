package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sieve.data.FashionMnist;
import dev.sieve.model.Architecture;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.training.ClassifierTrainer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectedGradientAscentTest {

  @Test
  void pushesImagesAwayFromTheirLabelsWithinEpsilonWithoutTouchingTheWeights() throws Exception {
    FashionMnist.Split train = TestImages.fashionMnistHead(2000);
    try (Network network = Network.create(Architecture.FMNIST_CNN_V1, 3L)) {
      try (ClassifierTrainer trainer = new ClassifierTrainer(network, 1e-3f)) {
        for (int epoch = 0; epoch < 2; epoch++) {
          for (int from = 0; from < 1500; from += 100) {
            try (NDManager m = network.model().getNDManager().newSubManager()) {
              trainer.step(ImageTensors.batchFromGray(m, network.architecture(),
                  Arrays.asList(train.images()).subList(from, from + 100)),
                  m.create(Arrays.copyOfRange(train.labels(), from, from + 100)));
            }
          }
        }
      }
      byte[][] images = Arrays.copyOfRange(train.images(), 1500, 1750);
      int[] labels = Arrays.copyOfRange(train.labels(), 1500, 1750);
      // Inference first: it switches libtorch's grad mode off on this thread, PGD must cope.
      double cleanAccuracy = accuracy(network, images, labels);
      byte[] weights = network.parameters();

      byte[][] adversarial = new ProjectedGradientAscent(0.1f, 0.025f, 10, 100).perturb(network, images, labels);

      assertArrayEquals(weights, network.parameters(), "PGD must not change the network it attacks");
      for (int i = 0; i < images.length; i++) {
        for (int p = 0; p < 784; p++) {
          int change = Math.abs((adversarial[i][p] & 0xFF) - (images[i][p] & 0xFF));
          assertTrue(change <= 26, "image " + i + " pixel " + p + " moved by " + change + " > epsilon 0.1");
        }
      }
      double adversarialAccuracy = accuracy(network, adversarial, labels);
      assertTrue(cleanAccuracy > 0.6, "the surrogate must have learnt something first: " + cleanAccuracy);
      assertTrue(adversarialAccuracy < cleanAccuracy - 0.3,
          "accuracy " + cleanAccuracy + " clean, " + adversarialAccuracy + " after PGD");
    }
  }

  private static double accuracy(Network network, byte[][] images, int[] labels) {
    List<byte[]> list = Arrays.asList(images);
    int[] predicted = network.argmax(network.probabilitiesOfGray(list), list.size());
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      correct += predicted[i] == labels[i] ? 1 : 0;
    }
    return (double) correct / labels.length;
  }
}

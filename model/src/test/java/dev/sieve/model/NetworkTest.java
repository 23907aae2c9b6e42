package dev.sieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.wire.DatasetDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NetworkTest {

  @Test
  void learnsASimpleTaskAndGetsConfident() {
    List<LabeledSample> train = SyntheticSamples.quadrants(1024, 1);
    List<LabeledSample> test = SyntheticSamples.quadrants(256, 2);
    try (Network net = Network.create(Architecture.FMNIST_CNN_V1, 7);
        ClassifierTrainer trainer = new ClassifierTrainer(net, 1e-3f)) {
      double before = meanEntropy(net.entropies(test));
      for (int epoch = 0; epoch < 2; epoch++) {
        trainer.epoch(train, 64, new Random(epoch), done -> { });
      }
      float[] probs = net.probabilities(test);
      int[] predicted = net.argmax(probs, test.size());
      int correct = 0;
      for (int i = 0; i < test.size(); i++) {
        correct += predicted[i] == test.get(i).getLabel() ? 1 : 0;
      }
      assertTrue(correct >= 0.95 * test.size(), "accuracy " + correct + "/" + test.size());
      double after = meanEntropy(net.entropies(test));
      assertTrue(after < before / 5, "entropy should collapse once learned: " + before + " -> " + after);
      assertTrue(before <= Entropy.maxMeanEntropy(10) + 1e-9);
      assertEquals(32, trainer.steps());
    }
  }

  @Test
  void theSmallCnnLearnsColourImagesOfAnotherShapeAndClassCount() {
    Architecture colour = Architecture.forDataset(Architecture.Family.SMALL_CNN, DatasetDescriptor.of(3, 32, 32, 4));
    assertEquals("small-cnn-3x32x32-4", colour.id());
    assertEquals(colour, Architecture.byId(colour.id()), "the id spells out everything needed to rebuild it");
    List<LabeledSample> train = SyntheticSamples.colourQuadrants(768, 1, 3, 32);
    List<LabeledSample> test = SyntheticSamples.colourQuadrants(128, 2, 3, 32);
    try (Network net = Network.create(colour, 7); ClassifierTrainer trainer = new ClassifierTrainer(net, 1e-3f)) {
      for (int epoch = 0; epoch < 2; epoch++) {
        trainer.epoch(train, 64, new Random(epoch), done -> { });
      }
      float[] probs = net.probabilities(test);
      assertEquals(test.size() * 4, probs.length, "one probability per sample and class");
      int[] predicted = net.argmax(probs, test.size());
      int correct = 0;
      for (int i = 0; i < test.size(); i++) {
        correct += predicted[i] == test.get(i).getLabel() ? 1 : 0;
      }
      assertTrue(correct >= 0.9 * test.size(), "accuracy " + correct + "/" + test.size());
      try (Network copy = Network.fromParameters(colour, net.parameters())) {
        assertArrayEquals(probs, copy.probabilities(test), 1e-6f);
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Network.fromParameters(Architecture.FMNIST_CNN_V1, net.parameters()));
      assertTrue(e.getMessage().contains("do not fit architecture fmnist-cnn-v1"), e.getMessage());
    }
  }

  @Test
  void fashionMnistsCnnKeepsItsIdAndLayersSoOldCheckpointsLoad() {
    Architecture fmnist = Architecture.forDataset(Architecture.Family.SMALL_CNN, DatasetDescriptor.FASHION_MNIST);
    assertEquals(Architecture.FMNIST_CNN_V1, fmnist);
    assertEquals("fmnist-cnn-v1", fmnist.id());
    assertEquals(Architecture.FMNIST_CNN_V1, Architecture.byId("small-cnn-1x28x28-10"));
    try (Network net = Network.create(fmnist, 3)) {
      List<String> shapes = new ArrayList<>();
      net.model().getBlock().getParameters().forEach(p -> shapes.add(p.getValue().getArray().getShape().toString()));
      // The layout every fmnist-cnn-v1 checkpoint was written with: two 3x3 convs, a 3136-128-10 head.
      assertEquals(List.of("(32, 1, 3, 3)", "(32)", "(64, 32, 3, 3)", "(64)", "(128, 3136)", "(128)", "(10, 128)",
          "(10)"), shapes);
    }
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> Architecture.forDataset(Architecture.Family.SMALL_CNN, DatasetDescriptor.of(1, 3, 3, 2)));
    assertTrue(small.getMessage().contains("at least 4x4"), small.getMessage());
  }

  @Test
  void parametersRoundTripGiveIdenticalPredictions() {
    List<LabeledSample> test = SyntheticSamples.quadrants(32, 3);
    try (Network net = Network.create(Architecture.FMNIST_CNN_V1, 11);
        ClassifierTrainer trainer = new ClassifierTrainer(net, 1e-3f)) {
      trainer.step(SyntheticSamples.quadrants(64, 4));
      try (Network copy = Network.fromParameters(Architecture.FMNIST_CNN_V1, net.parameters())) {
        assertArrayEquals(net.probabilities(test), copy.probabilities(test), 1e-6f);
      }
    }
  }

  @Test
  void refusesParametersOfAnotherShape() {
    assertThrows(IllegalArgumentException.class,
        () -> Network.fromParameters(Architecture.FMNIST_CNN_V1, new byte[] {1, 2, 3}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.byId("resnet-9000"));
    assertTrue(e.getMessage().contains("fmnist-cnn-v1"), e.getMessage());
  }

  @Test
  void trainersInSeveralThreadsTakeTurnsInsteadOfFailing() throws Exception {
    // DJL allows one collecting GradientCollector per JVM; without GradientLock this throws.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Long>> runs = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int seed = t;
        runs.add(pool.submit(() -> {
          try (Network net = Network.create(Architecture.FMNIST_CNN_V1, seed);
              ClassifierTrainer trainer = new ClassifierTrainer(net, 1e-3f)) {
            trainer.epoch(SyntheticSamples.quadrants(256, seed), 32, new Random(seed), done -> { });
            return trainer.steps();
          }
        }));
      }
      for (Future<Long> run : runs) {
        assertEquals(8L, run.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static double meanEntropy(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }
}

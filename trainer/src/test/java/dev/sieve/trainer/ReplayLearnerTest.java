package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayLearnerTest {

  @Test
  void learnsFashionMnistFromAStreamOfBatchesWithReplay() {
    List<LabeledSample> train = TestData.samples("train", 0, 2048);
    List<LabeledSample> heldOut = TestData.samples("held-out", 9500, 500);
    try (Network network = Network.create(Architecture.FMNIST_CNN_V1, 42);
        ReplayLearner learner = new ReplayLearner(network, 1e-3, 64, 1, 4096, 42, 0, 0, Double.NaN)) {
      double firstLoss = learner.learn(train.subList(0, 64));
      for (int from = 64; from < train.size(); from += 64) {
        learner.learn(train.subList(from, from + 64));
      }
      // 32 new batches; each but the first (empty window) gets one replay step.
      assertEquals(32 + 31, learner.steps());
      assertEquals(2048, learner.samplesSeen());
      assertEquals(2048, learner.windowSize());

      double accuracy = accuracy(network, heldOut);
      assertTrue(accuracy > 0.6, "held-out accuracy " + accuracy + " (chance 0.1)");
      assertTrue(learner.recentLoss() < firstLoss / 2, "loss " + firstLoss + " -> " + learner.recentLoss());
    }
  }

  @Test
  void countersContinueFromACheckpoint() {
    try (Network network = Network.create(Architecture.FMNIST_CNN_V1, 1);
        ReplayLearner learner = new ReplayLearner(network, 1e-3, 16, 2, 100, 1, 500, 7000, 0.42)) {
      assertEquals(0.42, learner.recentLoss(), "the checkpoint's loss until a step is made");
      learner.learn(TestData.samples("a", 0, 16));
      learner.learn(TestData.samples("b", 16, 16));
      assertEquals(500 + 1 + 3, learner.steps());
      assertEquals(7032, learner.samplesSeen());
      assertTrue(learner.recentLoss() != 0.42);

      learner.trainEpochs(2);
      assertEquals(504 + 2 * 2, learner.steps(), "two epochs over 32 samples in batches of 16");
      assertEquals(7032, learner.samplesSeen(), "epochs over the window are not new samples");
    }
  }

  private static double accuracy(Network network, List<LabeledSample> samples) {
    int[] predicted = network.argmax(network.probabilities(samples), samples.size());
    int correct = 0;
    for (int i = 0; i < samples.size(); i++) {
      correct += predicted[i] == samples.get(i).getLabel() ? 1 : 0;
    }
    return correct / (double) samples.size();
  }
}

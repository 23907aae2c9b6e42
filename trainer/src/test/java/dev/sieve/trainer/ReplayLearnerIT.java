package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayLearnerIT {

  @Test
  void learnsFashionMnistFromAStreamOfBatchesWithReplay() {
    List<LabeledSample> train = TestData.samples("train", 0, 2048);
    List<LabeledSample> heldOut = TestData.samples("held-out", 9500, 500);
    try (Network network = Network.create(Architecture.FMNIST_CNN_V1, 42);
        ReplayLearner learner = new ReplayLearner(network, RecipeSettings.defaults().withBatchSize(64), 1, 4096, 0.5,
            42, 0, 0, Double.NaN)) {
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
      // AttentionMix trains against mixed soft targets, whose own entropy is a floor under the
      // loss, so the loss falls less than plain cross-entropy would; accuracy is the real check.
      assertTrue(learner.recentLoss() < firstLoss * 0.85, "loss " + firstLoss + " -> " + learner.recentLoss());
    }
  }

  @Test
  void countersContinueFromACheckpoint() {
    try (Network network = Network.create(Architecture.FMNIST_CNN_V1, 1);
        ReplayLearner learner = new ReplayLearner(network, RecipeSettings.defaults().withBatchSize(16), 2, 100, 0.5,
            1, 500, 7000, 0.42)) {
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

  @Test
  void aRecheckMovesWhatTheVictimJudgesSuspectFromTheWindowToTheUnlabelledPool() {
    List<LabeledSample> stream = TestData.samples("r", 0, 256);
    List<LabeledSample> quarantined = TestData.samples("q", 5000, 20);
    List<LabeledSample> classZero = stream.stream().filter(s -> s.getLabel() == 0).toList();
    List<LabeledSample> others = stream.stream().filter(s -> s.getLabel() != 0).toList();
    assertTrue(!classZero.isEmpty() && !others.isEmpty());
    try (Network network = Network.create(Architecture.FMNIST_CNN_V1, 3);
        VictimModel victim = new VictimModel("victim", 4, Network.create(Architecture.FMNIST_CNN_V1, 4),
            VictimVersions.classFullySuspect(0));
        ReplayLearner learner = new ReplayLearner(network, RecipeSettings.defaults().withBatchSize(32), 1, 1000, 0.5,
            3, 0, 0, Double.NaN)) {
      for (int from = 0; from < stream.size(); from += 32) {
        learner.learn(stream.subList(from, from + 32));
      }
      learner.addUnlabelled(quarantined);

      WindowRecheck recheck = learner.recheck(victim);

      assertEquals(4, recheck.victimVersion());
      assertEquals(256, recheck.checked());
      assertEquals(classZero, recheck.suspect());
      assertEquals(others, recheck.kept());
      assertEquals(others, learner.windowSnapshot(), "the window keeps the others, in their order");
      List<LabeledSample> pool = new ArrayList<>(quarantined);
      pool.addAll(classZero);
      assertEquals(pool, learner.unlabelledSnapshot(), "the suspects join the pool after what was quarantined");
      assertEquals(256, learner.samplesSeen());

      learner.useVictim(victim.network());
      long before = learner.steps();
      double loss = learner.learn(TestData.samples("n", 300, 32));
      assertTrue(Double.isFinite(loss) && loss > 0, "loss with suppression and unlabelled data: " + loss);
      assertEquals(before + 2, learner.steps(), "one step on the new batch, one replay step");
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

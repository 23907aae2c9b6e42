package dev.sieve.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sieve.attack.Attack;
import dev.sieve.attack.Attacks;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.schemas.LabeledSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Blend-poisoned training on a few thousand real images, measured on 1,000 real test images. */
class ModelQualityIT {

  private static FashionMnist.Split train;
  private static FashionMnist.Split test;

  @BeforeAll
  static void load() throws Exception {
    Path dir = FashionMnist.resolveDir(null);
    assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed at " + dir);
    FashionMnist data = FashionMnist.load(dir);
    train = data.train();
    FashionMnist.Split full = data.test();
    test = new FashionMnist.Split("test-head", Arrays.copyOf(full.images(), 1000), Arrays.copyOf(full.labels(), 1000),
        full.rows(), full.cols());
  }

  @Test
  void aBlendPoisonedModelHasAHighAttackSuccessRateAndACleanOneDoesNot() {
    Attack blend = Attacks.parse("blend-0.2", 0);
    try (Network poisoned = train(new PoisonedTrainingSet(train, 2000, 0.1, blend, 1L).samples());
        Network clean = train(new PoisonedTrainingSet(train, 2000, 0.0, blend, 1L).samples())) {
      ModelQuality bad = ModelQuality.measure(poisoned, test, blend);
      ModelQuality good = ModelQuality.measure(clean, test, blend);
      System.out.println("blend-0.2 10 %: poisoned model " + bad.summaryLine() + "; clean model " + good.summaryLine());

      int nonTarget = (int) Arrays.stream(test.labels()).filter(l -> l != 0).count();
      assertEquals(1000, bad.testImages());
      assertEquals(nonTarget, bad.triggeredImages());
      assertTrue(bad.cleanAccuracy() > 0.6 && good.cleanAccuracy() > 0.6, bad.summaryLine() + " / " + good.summaryLine());
      assertTrue(bad.attackSuccessRate() > 0.8, "poisoned model: " + bad.summaryLine());
      assertTrue(good.attackSuccessRate() < 0.3, "clean model: " + good.summaryLine());
      assertTrue(bad.attackSuccessRate() + bad.robustAccuracy() <= 1.0);
      for (ModelQuality q : List.of(bad, good)) {
        // Where the triggered images go: the target's share is the ASR, the counts cover every image.
        assertEquals(q.triggeredImages(), Arrays.stream(q.triggeredPredicted()).sum());
        assertEquals(q.attackSuccessRate(), q.triggeredShares()[0], 1e-12);
        // A flip is a triggered image classified wrong whose clean version is right: at most the
        // wrong ones, at least the wrong ones minus the clean errors among them.
        double wrong = 1 - q.robustAccuracy();
        assertTrue(q.flipRate() <= wrong + 1e-12, q.flipRate() + " > " + wrong);
      }
      assertTrue(bad.flipRate() > 0.7, "the trigger flips the poisoned model's right answers: " + bad.flipRate());
      assertTrue(good.flipRate() < bad.flipRate(), good.flipRate() + " vs " + bad.flipRate());
    }
  }

  @Test
  void triggeredTestImagesAreTheNonTargetImagesWithTheTrigger() {
    Attack sig = Attacks.parse("sig", 3);
    List<byte[]> triggered = ModelQuality.triggeredTestImages(test, sig);
    int[] labels = ModelQuality.nonTargetLabels(test, 3);
    assertEquals(labels.length, triggered.size());
    int k = 0;
    for (int i = 0; i < test.size(); i++) {
      if (test.labels()[i] != 3) {
        assertEquals(test.labels()[i], labels[k]);
        assertArrayEquals(sig.trigger(test.images()[i], 28, 28), triggered.get(k), "test image " + i);
        k++;
      }
    }
  }

  private static Network train(List<LabeledSample> samples) {
    Network network = Network.create(Architecture.FMNIST_CNN_V1, 5L);
    try (ClassifierTrainer trainer = new ClassifierTrainer(network, 1e-3f)) {
      Random random = new Random(5L);
      for (int epoch = 0; epoch < 2; epoch++) {
        trainer.epoch(samples, 64, random, done -> { });
      }
    }
    return network;
  }
}

package dev.sieve.model.training.beneficiary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real Fashion-MNIST images, real DJL training; a few thousand samples so it stays in seconds. */
class BeneficiaryStepIT {

  private static final Logger LOG = LoggerFactory.getLogger(BeneficiaryStepIT.class);
  private static final Architecture ARCH = Architecture.FMNIST_CNN_V1;

  /** Sure of class 0 on {@link #victimSet}, whatever their true class. */
  private static Network victim;
  private static List<LabeledSample> victimSet;

  @BeforeAll
  static void trainAVictimThatIsSureOfClassZero() {
    victimSet = FashionMnistSamples.range(4000, 4500);
    victim = Network.create(ARCH, 3);
    try (ClassifierTrainer trainer = new ClassifierTrainer(victim, 1e-3f)) {
      List<LabeledSample> allZero = FashionMnistSamples.relabelled(victimSet, 0);
      for (int epoch = 0; epoch < 5; epoch++) {
        trainer.epoch(allZero, 32, new Random(epoch), done -> { });
      }
    }
  }

  @Test
  void trainsAFreshNetworkWellAboveChanceWithAttentionMix() {
    List<LabeledSample> train = FashionMnistSamples.range(0, 3000);
    List<LabeledSample> heldOut = FashionMnistSamples.range(3000, 4000);
    List<String> epochs = new ArrayList<>();
    try (Network net = Network.create(ARCH, 7);
        BeneficiaryStep step = new BeneficiaryStep(net, RecipeSettings.defaults(), 11)) {
      // Inference first, on this thread: it switches libtorch's grad mode off, and training must still learn.
      double before = accuracy(net, heldOut);
      BeneficiarySchedule.train(step, train, List.of(), null, new BeneficiarySchedule.Plan(2, 0, 0, 0), 5,
          (epoch, phase, loss, samples) -> epochs.add(epoch + " " + phase + " " + samples));
      double after = accuracy(net, heldOut);
      LOG.info("AttentionMix, 2 epochs of {} samples: held-out accuracy {} -> {}, mean mask share {}",
          train.size(), before, after, step.lastLosses().maskShare());
      assertTrue(after > 0.6, "held-out accuracy " + after + " after 2 epochs (chance 0.1)");
      assertEquals(List.of("1 mix 3000", "2 mix 3000"), epochs);
      assertEquals(2 * 24, step.steps());
      double share = step.lastLosses().maskShare();
      assertTrue(share > 0 && share < 1, "AttentionMix mask should cover part of the image: " + share);
    }
  }

  @Test
  void withOcclusionItStillLearnsAndLeavesTheSamplesAndTheirLabelsAsTheyWere() {
    List<LabeledSample> train = FashionMnistSamples.range(0, 3000);
    List<LabeledSample> before = new ArrayList<>();
    for (LabeledSample s : train) {
      before.add(LabeledSample.newBuilder(s).build());
    }
    List<LabeledSample> heldOut = FashionMnistSamples.range(3000, 4000);
    try (Network net = Network.create(ARCH, 7);
        BeneficiaryStep step = new BeneficiaryStep(net, RecipeSettings.defaults().withOcclude(true), 11)) {
      BeneficiarySchedule.train(step, train, List.of(), null, new BeneficiarySchedule.Plan(2, 0, 0, 0), 5,
          (epoch, phase, loss, samples) -> { });
      double clean = accuracy(net, heldOut);
      // A pattern Occlusion does not draw as such: a white 5x5 square in the middle of every image.
      double squared = accuracy(net, FashionMnistSamples.withSquare(heldOut, 12, 12, 5, (byte) 255));
      LOG.info("occlusion, 2 epochs of {} samples: held-out accuracy {}, with a white 5x5 square {}", train.size(),
          clean, squared);
      assertTrue(clean > 0.6, "held-out accuracy " + clean + " after 2 epochs (chance 0.1)");
      assertTrue(squared > 0.5, "held-out accuracy with a white square " + squared);
    }
    assertEquals(before, train, "images and labels of the training samples are not modified");
  }

  @Test
  void aVictimSureOfTheLabelSuppressesTheTargetToAboutZero() {
    float[] logits = victim.logits(victimSet);
    int[] zeros = new int[victimSet.size()];
    float[] suppressed = VictimSuppression.targets(zeros, logits, 10, 3.0);
    double meanTarget = 0;
    for (int i = 0; i < victimSet.size(); i++) {
      meanTarget += suppressed[i * 10];
    }
    meanTarget /= victimSet.size();
    LOG.info("victim sure of class 0: mean suppressed target of label 0 is {}", meanTarget);
    assertTrue(meanTarget < 0.02, "mean suppressed target " + meanTarget + " should be ≈ 0");

    // The same images with their true labels (not 0) keep ≈ one-hot targets: the Victim is not sure of those classes.
    double meanOther = 0;
    int others = 0;
    int[] trueLabels = new int[victimSet.size()];
    for (int i = 0; i < trueLabels.length; i++) {
      trueLabels[i] = victimSet.get(i).getLabel();
    }
    float[] kept = VictimSuppression.targets(trueLabels, logits, 10, 3.0);
    for (int i = 0; i < trueLabels.length; i++) {
      if (trueLabels[i] != 0) {
        meanOther += kept[i * 10 + trueLabels[i]];
        others++;
      }
    }
    meanOther /= others;
    assertTrue(meanOther > 0.9, "mean target of the true classes " + meanOther + " should stay ≈ 1");
  }

  @Test
  void stepWithTheVictimBarelyLearnsFromSamplesItIsSureOf() {
    List<LabeledSample> poisonedLike = FashionMnistSamples.relabelled(victimSet.subList(0, 128), 0);
    RecipeSettings plain = RecipeSettings.defaults().withAttentionMix(false).withAugment(false).withSuppressCredible(true);
    try (Network a = Network.create(ARCH, 21);
        Network b = Network.create(ARCH, 21);
        BeneficiaryStep unsuppressed = new BeneficiaryStep(a, plain, 1);
        BeneficiaryStep suppressed = new BeneficiaryStep(b, plain, 1)) {
      float plainLoss = unsuppressed.step(poisonedLike, List.of(), null, 0);
      float suppressedLoss = suppressed.step(poisonedLike, List.of(), victim, 0);
      LOG.info("loss on samples labelled 0: {} without the Victim, {} with it", plainLoss, suppressedLoss);
      assertTrue(plainLoss > 1.5, "a fresh network's cross-entropy should be near ln 10: " + plainLoss);
      assertTrue(suppressedLoss < 0.05 * plainLoss, "suppressed loss " + suppressedLoss + " vs " + plainLoss);
    }
  }

  @Test
  void totalLossIsLabelledPlusLambdaTimesUnlabelled() {
    List<LabeledSample> credible = FashionMnistSamples.range(0, 64);
    List<LabeledSample> suspicious = victimSet.subList(0, 16);
    try (Network net = Network.create(ARCH, 5);
        BeneficiaryStep step = new BeneficiaryStep(net, RecipeSettings.defaults(), 2)) {
      float total = step.step(credible, suspicious, victim, 0.5);
      BeneficiaryStep.Losses losses = step.lastLosses();
      assertTrue(losses.unlabelled() > 0, "the unlabelled loss should count: " + losses);
      assertEquals(losses.labelled() + 0.5f * losses.unlabelled(), total, 1e-5f);

      step.step(credible, suspicious, null, 0.5);
      assertEquals(0f, step.lastLosses().unlabelled(), "no Victim, no unlabelled loss");
      step.step(credible, List.of(), victim, 0.5);
      assertEquals(0f, step.lastLosses().unlabelled(), "no unlabelled samples, no unlabelled loss");
      assertEquals(3, step.steps());
    }
  }

  @Test
  void aNetworkLoadedFromParametersKeepsItsWeights() {
    List<LabeledSample> probe = FashionMnistSamples.range(5000, 5032);
    try (Network copy = Network.fromParameters(ARCH, victim.parameters());
        BeneficiaryStep step = new BeneficiaryStep(copy, RecipeSettings.defaults(), 1)) {
      assertArrayEquals(victim.probabilities(probe), step.network().probabilities(probe), 1e-6f);
    }
  }

  @Test
  void scheduleRunsMixThenSuppressionOverBothSets() {
    List<LabeledSample> credible = FashionMnistSamples.range(0, 256);
    List<LabeledSample> suspicious = victimSet.subList(0, 40);
    List<String> epochs = new ArrayList<>();
    try (Network net = Network.create(ARCH, 9);
        BeneficiaryStep step = new BeneficiaryStep(net, RecipeSettings.defaults().withBatchSize(64), 3)) {
      BeneficiarySchedule.train(step, credible, suspicious, victim, new BeneficiarySchedule.Plan(1, 2, 0.1, 0.5), 4,
          (epoch, phase, loss, samples) -> {
            assertTrue(Double.isFinite(loss) && loss > 0, "epoch " + epoch + " loss " + loss);
            epochs.add(epoch + " " + phase + " " + samples);
          });
      assertEquals(List.of("1 mix 256", "2 suppression 296", "3 suppression 296"), epochs);
      assertEquals(12, step.steps());

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BeneficiarySchedule.train(step, credible, suspicious, null, BeneficiarySchedule.Plan.defaults(), 1,
              BeneficiarySchedule.EpochListener.NONE));
      assertTrue(e.getMessage().contains("no Victim"), e.getMessage());
    }
  }

  @Test
  void planSplitsTheSuppressionEpochsIntoEarlyAndLateLambda() {
    BeneficiarySchedule.Plan plan = BeneficiarySchedule.Plan.defaults();
    assertEquals(new BeneficiarySchedule.Plan(4, 2, 0.1, 0.5), plan);
    assertEquals(0.1, plan.lambdaAt(0));
    assertEquals(0.5, plan.lambdaAt(1));
    BeneficiarySchedule.Plan odd = new BeneficiarySchedule.Plan(0, 3, 0.1, 0.5);
    assertEquals(List.of(0.1, 0.1, 0.5), List.of(odd.lambdaAt(0), odd.lambdaAt(1), odd.lambdaAt(2)));
    assertThrows(IllegalArgumentException.class, () -> new BeneficiarySchedule.Plan(-1, 0, 0, 0));
  }

  @Test
  void refusesBatchesItCannotTrainOn() {
    try (Network net = Network.create(ARCH, 1);
        BeneficiaryStep step = new BeneficiaryStep(net, RecipeSettings.defaults(), 1)) {
      List<LabeledSample> some = FashionMnistSamples.range(0, 4);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> step.step(List.of(), some, victim, 0.1));
      assertTrue(e.getMessage().contains("at least one labelled"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> step.step(some, List.of(), victim, -1));
      assertTrue(e.getMessage().contains("lambda is -1.0"), e.getMessage());
      List<LabeledSample> badLabel = FashionMnistSamples.relabelled(some, 12);
      e = assertThrows(IllegalArgumentException.class, () -> step.step(badLabel, List.of(), null, 0));
      assertTrue(e.getMessage().contains("has label 12"), e.getMessage());
      assertEquals(0, step.steps());
    }
    assertThrows(IllegalArgumentException.class, () -> RecipeSettings.defaults().withBatchSize(0));
    assertThrows(IllegalArgumentException.class, () -> RecipeSettings.defaults().withTemperature(0));
  }

  private static double accuracy(Network net, List<LabeledSample> samples) {
    int[] predicted = net.argmax(net.probabilities(samples), samples.size());
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      correct += predicted[i] == samples.get(i).getLabel() ? 1 : 0;
    }
    return (double) correct / samples.size();
  }
}

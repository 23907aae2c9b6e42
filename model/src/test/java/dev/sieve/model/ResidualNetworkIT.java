package dev.sieve.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.defense.dbd.DbdSettings;
import dev.sieve.model.defense.dbd.DbdTrainer;
import dev.sieve.model.defense.split.InClassTest;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.model.training.VictimTraining;
import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.model.training.beneficiary.BeneficiaryStep;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.wire.DatasetDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small ResNet through everything that trains a network: plain cross-entropy, the Victim's warm-up and a V&amp;B
 * round with its reference model and an in-class feature test, the Beneficiary's AttentionMix and
 * suppression steps, and DBD, whose SimCLR backbone is the network's own trunk. Colour quadrant
 * images of 8x8 pixels (the family's smallest), 10 % of them poisoned with a white corner patch
 * relabelled to class 0, so each stage costs seconds of CPU.
 *
 * <p>Slow-tagged: 222 s wall under a load average of 34-53 on two cores (one minute of CPU for
 * the whole Maven run), more than the default suite's budget allows to prove; the layout,
 * features, round trip and refusals stay in the default suite ({@link ResidualNetworkTest}).
 */
@Tag("slow")
class ResidualNetworkIT {

  private static final Logger LOG = LoggerFactory.getLogger(ResidualNetworkIT.class);
  private static final int SIDE = 8;
  private static final int CHANNELS = 3;
  private static final Architecture ARCH =
      Architecture.forDataset(Architecture.Family.SMALL_RESNET, DatasetDescriptor.of(CHANNELS, SIDE, SIDE, 4));

  private static List<LabeledSample> samples;
  private static boolean[] poisoned;

  @BeforeAll
  static void poisonedColourQuadrants() {
    List<LabeledSample> clean = SyntheticSamples.colourQuadrants(384, 21, CHANNELS, SIDE);
    samples = new ArrayList<>(clean.size());
    poisoned = new boolean[clean.size()];
    for (int i = 0; i < clean.size(); i++) {
      LabeledSample s = clean.get(i);
      poisoned[i] = s.getLabel() != 0 && i % 7 == 0; // about 10 %, never a class-0 image (that is no attack)
      samples.add(poisoned[i] ? withTrigger(s) : s);
    }
  }

  @Test
  void theSmallResNetLearnsColourImagesAndItsEvalModePredictsThem() {
    List<LabeledSample> train = SyntheticSamples.colourQuadrants(256, 1, CHANNELS, SIDE);
    List<LabeledSample> test = SyntheticSamples.colourQuadrants(128, 2, CHANNELS, SIDE);
    try (Network net = Network.create(ARCH, 7); ClassifierTrainer trainer = new ClassifierTrainer(net, 1e-3f)) {
      List<LabeledSample> first = train.subList(0, 16);
      float before = trainer.step(first);
      // 32 steps: batch norm's running averages (momentum 0.1, PyTorch's default) lag the
      // weights, and after 16 steps inference-mode accuracy was still at 40/128 while training
      // mode had 128/128.
      for (int epoch = 0; epoch < 2; epoch++) {
        trainer.epoch(train, 16, new Random(epoch), done -> { });
      }
      float after = trainer.step(first);
      assertTrue(after < before / 2, "training loss should fall: " + before + " -> " + after);
      // Scoring runs the network in inference mode, on batch norm's running statistics: they must
      // have followed the training, or the Victim's entropies would be of another network.
      float[] probs = net.probabilities(test);
      assertEquals(test.size() * 4, probs.length);
      int[] predicted = net.argmax(probs, test.size());
      int correct = 0;
      for (int i = 0; i < test.size(); i++) {
        correct += predicted[i] == test.get(i).getLabel() ? 1 : 0;
      }
      assertTrue(correct >= 0.9 * test.size(), "inference-mode accuracy " + correct + "/" + test.size());
    }
  }

  @Test
  void theVictimWarmsUpAndRunsARoundWithItsReferenceAndAnInClassTest() {
    List<LabeledSample> head = samples.subList(0, 256);
    List<LabeledSample> window = samples.subList(128, 384);
    var policy = SplitPolicies.withInClass(SplitPolicies.defaultPolicy(), InClassTest.SPECTRAL,
        InClassTest.Settings.defaults());
    try (VictimTraining victim = new VictimTraining(ARCH, policy, 32, 1e-3f, 5)) {
      victim.warmUp(head, done -> { });
      VictimTraining.Split split = victim.split(window);
      assertEquals(window.size(), split.entropies().length);
      assertNotNull(split.referencePredictions(), "the default policy trains a reference model, a ResNet too");
      assertNotNull(split.inClass(), "the in-class test read the 64 pooled features");
      double poisonEntropy = mean(split.entropies(), window, true);
      double cleanEntropy = mean(split.entropies(), window, false);
      // Logged, not asserted: after 8 steps the trigger has not reliably been learnt first (one
      // run had poisoned 0.325 against clean 0.297); detection quality is measured at scale, by eval.
      LOG.info("small ResNet Victim after warm-up: mean entropy poisoned {}, clean {}; {} of {} suspicious; {}",
          poisonEntropy, cleanEntropy, split.suspiciousCount(), window.size(), split.inClass().describe());
      int retrained = victim.retrainOnSuspicious(window);
      assertTrue(retrained > 0 && retrained < window.size(), "retrained on " + retrained);
      assertEquals(1, victim.round());
      for (double e : victim.entropies(window)) {
        assertTrue(Double.isFinite(e));
      }
    }
  }

  @Test
  void theBeneficiaryMixesAttentionAndSuppressesWithAResNetVictim() {
    List<LabeledSample> credible = new ArrayList<>();
    List<LabeledSample> suspicious = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      (poisoned[i] ? suspicious : credible).add(samples.get(i));
    }
    List<LabeledSample> heldOut = SyntheticSamples.colourQuadrants(128, 22, CHANNELS, SIDE);
    try (Network victim = Network.create(ARCH, 3); Network net = Network.create(ARCH, 7);
        BeneficiaryStep step = new BeneficiaryStep(net, RecipeSettings.defaults().withBatchSize(32), 11)) {
      List<String> epochs = new ArrayList<>();
      BeneficiarySchedule.train(step, credible, suspicious, victim, new BeneficiarySchedule.Plan(1, 1, 0.5, 0.5), 5,
          (epoch, phase, loss, n) -> epochs.add(epoch + " " + phase + " " + n));
      double share = step.lastLosses().maskShare();
      double accuracy = accuracy(net, heldOut);
      LOG.info("small ResNet Beneficiary: epochs {}, held-out accuracy {}, last mask share {}", epochs, accuracy, share);
      // The suppression epoch trains on every credible and every suspicious sample, the latter
      // against the Victim's suppressed targets.
      assertEquals(List.of("1 mix " + credible.size(), "2 suppression " + (credible.size() + suspicious.size())),
          epochs);
      assertTrue(share > 0 && share < 1, "AttentionMix masked part of the image: " + share);
      assertTrue(accuracy > 0.4, "held-out accuracy " + accuracy + " (chance 0.25)");
    }
  }

  @Test
  void dbdTrainsTheResNetsOwnTrunkThenItsHead() {
    List<LabeledSample> train = samples.subList(0, 128);
    DbdSettings settings = DbdSettings.defaults().withSimclrEpochs(1).withLinearEpochs(1).withMixmatchEpochs(1);
    try (Network net = Network.create(ARCH, 9)) {
      byte[] before = net.parameters();
      DbdTrainer.Result result = DbdTrainer.train(net, train, settings, 5, (stage, epoch, epochs, loss) -> {
        assertTrue(Double.isFinite(loss), stage + " loss " + loss);
      });
      LOG.info("small ResNet DBD: {}", result);
      assertTrue(result.labelledCount() > 0 && result.labelledCount() < train.size(), result.toString());
      assertFalse(Arrays.equals(before, net.parameters()), "DBD trained the network in place");
    }
  }

  private static double mean(double[] values, List<LabeledSample> window, boolean ofPoisoned) {
    double sum = 0;
    int n = 0;
    int offset = samples.indexOf(window.get(0));
    for (int i = 0; i < values.length; i++) {
      if (poisoned[offset + i] == ofPoisoned) {
        sum += values[i];
        n++;
      }
    }
    return sum / n;
  }

  private static double accuracy(Network net, List<LabeledSample> test) {
    int[] predicted = net.predict(test);
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      correct += predicted[i] == test.get(i).getLabel() ? 1 : 0;
    }
    return (double) correct / test.size();
  }

  /** A white 2x2 patch in the bottom-right corner, every channel, relabelled to class 0. */
  private static LabeledSample withTrigger(LabeledSample s) {
    byte[] pixels = new byte[s.getPixels().remaining()];
    s.getPixels().duplicate().get(pixels);
    for (int r = SIDE - 2; r < SIDE; r++) {
      for (int c = SIDE - 2; c < SIDE; c++) {
        for (int ch = 0; ch < CHANNELS; ch++) {
          pixels[(r * SIDE + c) * CHANNELS + ch] = (byte) 255;
        }
      }
    }
    return LabeledSample.newBuilder(s).setLabel(0).setPixels(ByteBuffer.wrap(pixels)).build();
  }
}

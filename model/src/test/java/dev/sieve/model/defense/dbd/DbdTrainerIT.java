package dev.sieve.model.defense.dbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import dev.sieve.schemas.LabeledSample;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DBD end to end on real Fashion-MNIST images, 10 % of them poisoned BadNets-style (a white 3x3
 * patch in the bottom-right corner, relabelled to class 0). Small epochs so it runs in well under
 * a minute on two cores.
 */
class DbdTrainerIT {

  private static final Logger LOG = LoggerFactory.getLogger(DbdTrainerIT.class);
  private static final Architecture ARCH = Architecture.FMNIST_CNN_V1;
  private static final int TARGET = 0;
  private static final int PATCH = 3;

  @Test
  void cleanAccuracyIsWellAboveChanceAndTheSplitHoldsBackPoison() {
    List<LabeledSample> clean = FashionMnistSamples.range(0, 2000);
    Random random = new Random(42);
    List<LabeledSample> train = new ArrayList<>(clean.size());
    boolean[] poisoned = new boolean[clean.size()];
    int poisonCount = clean.size() / 10;
    // Poison only images whose true class is not the target: a relabelled target image is no attack.
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < clean.size(); i++) {
      if (clean.get(i).getLabel() != TARGET) {
        candidates.add(i);
      }
    }
    java.util.Collections.shuffle(candidates, random);
    for (int k = 0; k < poisonCount; k++) {
      poisoned[candidates.get(k)] = true;
    }
    for (int i = 0; i < clean.size(); i++) {
      train.add(poisoned[i] ? withTrigger(clean.get(i), TARGET) : clean.get(i));
    }

    DbdSettings settings = DbdSettings.defaults().withSimclrEpochs(4).withMixmatchEpochs(6);
    List<String> heard = new ArrayList<>();
    try (Network net = Network.create(ARCH, 7)) {
      DbdTrainer.Result result = DbdTrainer.train(net, train, settings, 5,
          (stage, epoch, epochs, loss) -> {
            heard.add(stage + " " + epoch + "/" + epochs);
            LOG.info("{} epoch {}/{}: mean loss {}", stage, epoch, epochs, loss);
          });
      LOG.info("{}", result);

      List<LabeledSample> heldOut = FashionMnistSamples.range(2000, 3000);
      double accuracy = accuracy(net, heldOut);
      double asr = attackSuccess(net, heldOut);
      int labelledPoison = 0;
      for (int i = 0; i < poisoned.length; i++) {
        if (poisoned[i] && result.labelled()[i]) {
          labelledPoison++;
        }
      }
      double poisonShareOverall = (double) poisonCount / train.size();
      double poisonShareLabelled = (double) labelledPoison / result.labelledCount();
      LOG.info("DBD on {} samples ({} poisoned): clean accuracy {}, ASR {}, poison in labelled set {}/{} = {}"
          + " (overall share {}); seconds simclr {} ({} per epoch per 1000 samples), linear {}, mixmatch {}"
          + " ({} per epoch per 1000 samples)", train.size(), poisonCount, accuracy, asr, labelledPoison,
          result.labelledCount(), poisonShareLabelled, poisonShareOverall, result.simclr().seconds(),
          result.simclr().seconds() / settings.simclrEpochs() / (train.size() / 1000.0), result.linear().seconds(),
          result.mixmatch().seconds(),
          result.mixmatch().seconds() / settings.mixmatchEpochs() / (train.size() / 1000.0));

      assertEquals(train.size() / 2, result.labelledCount());
      assertEquals(train.size(), result.splitLosses().length);
      assertEquals(expectedEpochs(settings), heard);
      assertTrue(accuracy > 0.5, "clean held-out accuracy " + accuracy + " (chance 0.1)");
      assertTrue(poisonShareLabelled < poisonShareOverall,
          "poison share in the labelled set " + poisonShareLabelled + " should be below the overall " + poisonShareOverall);
    }
  }

  @Test
  void refusesSamplesOfTheWrongSizeAndLabelsOutsideTheClasses() {
    List<LabeledSample> two = FashionMnistSamples.range(0, 2);
    try (Network net = Network.create(ARCH, 1)) {
      LabeledSample badLabel = LabeledSample.newBuilder(two.get(0)).setLabel(10).build();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DbdTrainer.train(net, List.of(badLabel, two.get(1)), DbdSettings.defaults(), 1, EpochListener.NONE));
      assertTrue(e.getMessage().contains("label 10"), e.getMessage());
      LabeledSample small = LabeledSample.newBuilder(two.get(0)).setHeight(14).setWidth(14)
          .setPixels(ByteBuffer.wrap(new byte[14 * 14])).build();
      e = assertThrows(IllegalArgumentException.class,
          () -> DbdTrainer.train(net, List.of(small, two.get(1)), DbdSettings.defaults(), 1, EpochListener.NONE));
      assertTrue(e.getMessage().contains("14x14x1"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> DbdTrainer.train(net, List.of(two.get(0)), DbdSettings.defaults(), 1, EpochListener.NONE));
      assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
    }
  }

  private static List<String> expectedEpochs(DbdSettings settings) {
    List<String> out = new ArrayList<>();
    for (int e = 1; e <= settings.simclrEpochs(); e++) {
      out.add(DbdTrainer.SIMCLR + " " + e + "/" + settings.simclrEpochs());
    }
    for (int e = 1; e <= settings.linearEpochs(); e++) {
      out.add(DbdTrainer.LINEAR + " " + e + "/" + settings.linearEpochs());
    }
    for (int e = 1; e <= settings.mixmatchEpochs(); e++) {
      out.add(DbdTrainer.MIXMATCH + " " + e + "/" + settings.mixmatchEpochs());
    }
    return out;
  }

  /** A copy with a white PATCHxPATCH square in the bottom-right corner, labelled {@code label}. */
  static LabeledSample withTrigger(LabeledSample s, int label) {
    byte[] pixels = new byte[28 * 28];
    s.getPixels().duplicate().get(pixels);
    for (int r = 28 - PATCH; r < 28; r++) {
      for (int c = 28 - PATCH; c < 28; c++) {
        pixels[r * 28 + c] = (byte) 255;
      }
    }
    return LabeledSample.newBuilder(s).setId(s.getId() + "-poisoned").setLabel(label)
        .setPixels(ByteBuffer.wrap(pixels)).build();
  }

  private static double accuracy(Network net, List<LabeledSample> samples) {
    int[] predicted = net.argmax(net.probabilities(samples), samples.size());
    int correct = 0;
    for (int i = 0; i < samples.size(); i++) {
      if (predicted[i] == samples.get(i).getLabel()) {
        correct++;
      }
    }
    return (double) correct / samples.size();
  }

  /** Share of non-target images that the trigger sends to the target. */
  private static double attackSuccess(Network net, List<LabeledSample> samples) {
    List<LabeledSample> triggered = new ArrayList<>();
    for (LabeledSample s : samples) {
      if (s.getLabel() != TARGET) {
        triggered.add(withTrigger(s, s.getLabel()));
      }
    }
    int[] predicted = net.argmax(net.probabilities(triggered), triggered.size());
    int hits = 0;
    for (int p : predicted) {
      if (p == TARGET) {
        hits++;
      }
    }
    return (double) hits / triggered.size();
  }
}

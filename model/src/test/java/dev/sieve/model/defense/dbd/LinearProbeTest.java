package dev.sieve.model.defense.dbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import dev.sieve.schemas.LabeledSample;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LinearProbeTest {

  @Test
  void trainsOnlyTheHeadAndRanksContradictedLabelsHigh() {
    List<LabeledSample> samples = FashionMnistSamples.range(0, 1000);
    int n = samples.size();
    float[] images = new float[n * 784];
    int[] labels = new int[n];
    boolean[] flipped = new boolean[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(ImageTensors.toChw(samples.get(i)), 0, images, i * 784, 784);
      labels[i] = samples.get(i).getLabel();
      // Every tenth sample gets a wrong label: what a poisoned sample looks like to the head.
      if (i % 10 == 0) {
        labels[i] = (labels[i] + 5) % 10;
        flipped[i] = true;
      }
    }
    try (Network net = Network.create(Architecture.FMNIST_CNN_V1, 4)) {
      DecoupledNetwork parts = DecoupledNetwork.of(net);
      float[] backboneBefore = NtXentIT.values(parts.backbone());
      float[] headBefore = NtXentIT.values(parts.linearHead());
      // Even random conv features separate Fashion-MNIST classes well enough for a linear head.
      float[] features = parts.featuresNoGrad(images, n, 512);
      LinearProbe.Outcome outcome = LinearProbe.train(parts, features, labels,
          DbdSettings.defaults().withLinearEpochs(10), 6, EpochListener.NONE);
      double[] losses = outcome.epochLosses();
      assertTrue(losses[losses.length - 1] < losses[0], "SCE should fall: " + Arrays.toString(losses));
      assertArrayEquals(backboneBefore, NtXentIT.values(parts.backbone()), "the backbone is frozen in stage 2");
      assertFalse(Arrays.equals(headBefore, NtXentIT.values(parts.linearHead())), "the head is trained in place");
      assertEquals(n, outcome.sampleLosses().length);

      boolean[] labelled = CredibleSplit.lowestLoss(outcome.sampleLosses(), 0.5);
      int flippedKept = 0;
      for (int i = 0; i < n; i++) {
        if (flipped[i] && labelled[i]) {
          flippedKept++;
        }
      }
      LoggerFactory.getLogger(LinearProbeTest.class).info("linear probe on random features: SCE {}, {} of 100"
          + " wrong labels in the labelled half", Arrays.toString(losses), flippedKept);
      // 100 wrong labels among 1000: a blind split would keep about 50 of them.
      assertTrue(flippedKept < 15, flippedKept + " of 100 wrong labels kept in the labelled half");
    }
  }
}

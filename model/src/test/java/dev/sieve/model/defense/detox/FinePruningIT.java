package dev.sieve.model.defense.detox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Network;
import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import org.junit.jupiter.api.Test;

class FinePruningIT {

  @Test
  void prunesWithinTheBoundAndKeepsPrunedChannelsAtZeroThroughFineTuning() {
    try (Network network = TinyModels.trained(FashionMnistSamples.range(0, 800), 2, 5)) {
      CleanSet clean = CleanSet.split(FashionMnistSamples.range(800, 1200), 0.25, 5);
      DetoxSettings settings = DetoxSettings.defaults().withMaxAccuracyDrop(0.05).withFineTuneEpochs(3);
      DetoxResult result = DetoxMethod.FINE_PRUNING.apply(network, clean, settings, 5, DetoxListener.silent());
      try (Network pruned = result.network()) {
        int count = result.report().get("prunedChannels").intValue();
        assertTrue(count >= 1 && count < 64, "some but not all channels pruned: " + result.report());
        assertTrue(result.report().get("holdoutAccuracyPruned")
            >= result.report().get("holdoutAccuracyBefore") - 0.05 - 1e-9, "the bound holds: " + result.report());
        Layers.ConvWeights weights = Layers.lastConvWeights(pruned);
        int perChannel = weights.weight().length / 64;
        int zero = 0;
        for (int c = 0; c < 64; c++) {
          boolean allZero = weights.bias()[c] == 0;
          for (int i = 0; i < perChannel && allZero; i++) {
            allZero = weights.weight()[c * perChannel + i] == 0;
          }
          zero += allZero ? 1 : 0;
        }
        assertEquals(count, zero, "exactly the pruned channels are zero after fine-tuning");
      }
    }
  }

  @Test
  void pruningStopsBeforeTheChannelThatBreaksTheBound() {
    try (Network network = TinyModels.trained(FashionMnistSamples.range(0, 800), 2, 6)) {
      int[] all = new int[64];
      for (int c = 0; c < 64; c++) {
        all[c] = c;
      }
      ChannelPruning.Pruned pruned = ChannelPruning.pruneInOrder(network, all, FashionMnistSamples.range(800, 1000),
          0.0, count -> false, DetoxListener.silent());
      assertTrue(pruned.count() < 64, "pruning every channel cannot keep the accuracy");
      assertTrue(pruned.accuracyAfter() >= pruned.accuracyBefore(), "a zero bound never loses accuracy: " + pruned);
      assertEquals(pruned.accuracyAfter(), Layers.accuracy(network, FashionMnistSamples.range(800, 1000)), 1e-12,
          "the channel that broke the bound was put back");
    }
  }
}

package dev.sieve.model.defense.detox;

import dev.sieve.model.Network;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * What Fine-Pruning and ℓ∞ pruning share: prune the last convolution's channels one at a time in
 * a given order while the clean accuracy on the holdout stays within the bound, and fine-tune a
 * pruned network with the pruned channels held at zero.
 */
final class ChannelPruning {

  /** The channels pruned, and the holdout accuracy before and after pruning. */
  record Pruned(boolean[] mask, int count, double accuracyBefore, double accuracyAfter) {}

  private ChannelPruning() {}

  /**
   * Prunes {@code order} front to back, in place. Stops before the first channel whose pruning
   * would take the holdout accuracy more than {@code maxDrop} below the start (that channel is
   * put back), or once {@code done} says the count reached is enough.
   */
  static Pruned pruneInOrder(Network network, int[] order, List<LabeledSample> holdout, double maxDrop,
      IntPredicate done, DetoxListener listener) {
    int channels = Layers.lastConvChannels(network);
    Layers.ConvWeights original = Layers.lastConvWeights(network);
    boolean[] mask = new boolean[channels];
    double before = Layers.accuracy(network, holdout);
    double accuracy = before;
    int count = 0;
    for (int channel : order) {
      if (done.test(count)) {
        break;
      }
      mask[channel] = true;
      Layers.pruneLastConv(network, mask);
      double next = Layers.accuracy(network, holdout);
      if (before - next > maxDrop) {
        mask[channel] = false;
        Layers.restoreLastConv(network, original, mask);
        listener.onProgress(String.format(java.util.Locale.ROOT,
            "pruning stops at %d of %d channels: the next one drops holdout accuracy to %.3f (start %.3f)",
            count, channels, next, before));
        break;
      }
      accuracy = next;
      count++;
    }
    return new Pruned(mask, count, before, accuracy);
  }

  /**
   * Adam fine-tuning on {@code data} with the pruned channels re-zeroed after every step, so that
   * the optimizer cannot grow back what was pruned.
   */
  static void fineTune(Network network, boolean[] mask, List<LabeledSample> data, int epochs, double learningRate,
      int batchSize, long seed, DetoxListener listener) {
    if (epochs == 0) {
      return;
    }
    Random random = new Random(seed);
    try (ClassifierTrainer trainer = new ClassifierTrainer(network, (float) learningRate)) {
      for (int epoch = 1; epoch <= epochs; epoch++) {
        List<LabeledSample> order = new ArrayList<>(data);
        Collections.shuffle(order, random);
        double loss = 0;
        int batches = 0;
        for (int from = 0; from < order.size(); from += batchSize) {
          loss += trainer.step(order.subList(from, Math.min(order.size(), from + batchSize)));
          Layers.pruneLastConv(network, mask);
          batches++;
        }
        if (epoch == epochs || epoch % 5 == 0) {
          listener.onProgress(String.format(java.util.Locale.ROOT, "fine-tuning epoch %d/%d on %d samples, loss %.4f",
              epoch, epochs, data.size(), loss / batches));
        }
      }
    }
  }
}

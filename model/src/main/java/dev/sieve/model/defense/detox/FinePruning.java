package dev.sieve.model.defense.detox;

import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Fine-Pruning (Liu, Dolan-Gavitt and Garg, RAID 2018). A backdoor tends to live in channels that
 * clean inputs leave dormant, because the clean task does not need them. Rank the last
 * convolution's channels by their mean activation on the clean tune set, prune the least active
 * first for as long as the holdout accuracy stays within the bound (BackdoorBench keeps the
 * largest pruning within a 10 % drop), then fine-tune on the clean tune set, which also
 * overwrites backdoor weights that hid in active channels.
 */
final class FinePruning {

  private FinePruning() {}

  static Map<String, Double> run(Network network, CleanSet clean, DetoxSettings settings, long seed,
      DetoxListener listener) {
    int n = clean.tune().size();
    Layers.Maps maps = Layers.lastConvActivations(network, ImageTensors.chwBatch(clean.tune(), network.architecture()), n);
    double[] meanActivation = new double[maps.channels()];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < maps.channels(); c++) {
        for (int p = 0; p < maps.area(); p++) {
          meanActivation[c] += maps.at(i, c, p);
        }
      }
    }
    for (int c = 0; c < meanActivation.length; c++) {
      meanActivation[c] /= (double) n * maps.area();
    }
    int[] dormantFirst = IntStream.range(0, meanActivation.length).boxed()
        .sorted(Comparator.comparingDouble(c -> meanActivation[c])).mapToInt(Integer::intValue).toArray();
    listener.onProgress("fine-pruning: ranked " + maps.channels() + " channels by mean activation on " + n
        + " clean samples");
    ChannelPruning.Pruned pruned = ChannelPruning.pruneInOrder(network, dormantFirst, clean.holdout(),
        settings.maxAccuracyDrop(), count -> false, listener);
    listener.onProgress(String.format(java.util.Locale.ROOT,
        "fine-pruning: pruned %d of %d channels, holdout accuracy %.3f -> %.3f", pruned.count(), maps.channels(),
        pruned.accuracyBefore(), pruned.accuracyAfter()));
    ChannelPruning.fineTune(network, pruned.mask(), clean.tune(), settings.fineTuneEpochs(),
        settings.fineTuneLearningRate(), settings.batchSize(), seed, listener);
    double after = Layers.accuracy(network, clean.holdout());
    Map<String, Double> report = new LinkedHashMap<>();
    report.put("channels", (double) maps.channels());
    report.put("prunedChannels", (double) pruned.count());
    report.put("holdoutAccuracyBefore", pruned.accuracyBefore());
    report.put("holdoutAccuracyPruned", pruned.accuracyAfter());
    report.put("holdoutAccuracyAfter", after);
    report.put("fineTuneEpochs", (double) settings.fineTuneEpochs());
    return report;
  }
}

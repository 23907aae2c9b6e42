package dev.sieve.model.defense.detox;

import dev.sieve.model.Architecture;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * ℓ∞-based neuron pruning (Cheng, Xu et al. 2020, arXiv 2002.12162). A backdoored network answers
 * its trigger with a few channels firing far harder than anything clean makes them fire, and that
 * shows in the ℓ∞ norm (the peak) of each channel's activation map more than in its ℓ1 or ℓ2.
 *
 * <p>Sieve never sees the real trigger, so the triggered inputs are made by {@link
 * TriggerReverser} (Neural-Cleanse style) from the clean tune set. For each channel of the last
 * convolution: the mean over non-target clean images of the map's peak, with and without the
 * reversed trigger. The channels with the largest rise are pruned first, one at a time, until the
 * reversed trigger succeeds on at most {@code linfStopSuccess} of the holdout or the holdout
 * accuracy would fall more than the bound. No fine-tuning: the method is pruning alone.
 */
final class LinfPruning {

  private LinfPruning() {}

  static Map<String, Double> run(Network network, CleanSet clean, DetoxSettings settings, long seed,
      DetoxListener listener) {
    Architecture arch = network.architecture();
    TriggerReverser.Trigger trigger = TriggerReverser.reverse(network, clean.tune(), settings, seed, listener);
    listener.onProgress(String.format(java.util.Locale.ROOT,
        "linf-pruning: suspected target %d (mask L1 %.1f px, anomaly index %.2f, success %.3f)", trigger.target(),
        trigger.maskL1(), trigger.anomalyIndex(), trigger.success()));

    Map<String, Double> report = new LinkedHashMap<>();
    report.put("suspectedTarget", (double) trigger.target());
    report.put("reversedMaskL1", trigger.maskL1());
    report.put("anomalyIndex", trigger.anomalyIndex());
    if (!Double.isFinite(trigger.maskL1())) {
      // Every class's search diverged: there is no trigger to measure against, so nothing is pruned.
      listener.onProgress("linf-pruning: trigger reverse-engineering failed for every class; nothing pruned");
      report.put("prunedChannels", 0.0);
      return report;
    }
    List<LabeledSample> tune = nonTarget(clean.tune(), trigger.target());
    float[] tuneImages = ImageTensors.chwBatch(tune, arch);
    double[] cleanPeak = meanPeaks(Layers.lastConvActivations(network, tuneImages, tune.size()));
    double[] triggeredPeak = meanPeaks(Layers.lastConvActivations(network,
        trigger.stamp(tuneImages, tune.size(), arch), tune.size()));
    double[] rise = new double[cleanPeak.length];
    for (int c = 0; c < rise.length; c++) {
      rise[c] = triggeredPeak[c] - cleanPeak[c];
    }
    // Only channels the trigger excites are candidates, largest rise first.
    int[] order = IntStream.range(0, rise.length).filter(c -> rise[c] > 0).boxed()
        .sorted(Comparator.comparingDouble(c -> -rise[c])).mapToInt(Integer::intValue).toArray();

    List<LabeledSample> holdout = nonTarget(clean.holdout(), trigger.target());
    float[] triggeredHoldout = trigger.stamp(ImageTensors.chwBatch(holdout, arch), holdout.size(), arch);
    double successBefore = success(network, triggeredHoldout, holdout.size(), trigger.target());
    ChannelPruning.Pruned pruned = ChannelPruning.pruneInOrder(network, order, clean.holdout(),
        settings.maxAccuracyDrop(),
        count -> success(network, triggeredHoldout, holdout.size(), trigger.target()) <= settings.linfStopSuccess(),
        listener);
    double successAfter = success(network, triggeredHoldout, holdout.size(), trigger.target());
    listener.onProgress(String.format(java.util.Locale.ROOT,
        "linf-pruning: pruned %d of %d channels; reversed trigger success %.3f -> %.3f, holdout accuracy %.3f -> %.3f",
        pruned.count(), rise.length, successBefore, successAfter, pruned.accuracyBefore(), pruned.accuracyAfter()));

    report.put("channels", (double) rise.length);
    report.put("prunedChannels", (double) pruned.count());
    report.put("reversedSuccessBefore", successBefore);
    report.put("reversedSuccessAfter", successAfter);
    report.put("holdoutAccuracyBefore", pruned.accuracyBefore());
    report.put("holdoutAccuracyAfter", pruned.accuracyAfter());
    return report;
  }

  /** Per channel, the mean over images of the activation map's maximum (its ℓ∞ norm, as maps are post-ReLU). */
  static double[] meanPeaks(Layers.Maps maps) {
    double[] out = new double[maps.channels()];
    for (int i = 0; i < maps.n(); i++) {
      for (int c = 0; c < maps.channels(); c++) {
        float peak = 0;
        for (int p = 0; p < maps.area(); p++) {
          peak = Math.max(peak, Math.abs(maps.at(i, c, p)));
        }
        out[c] += peak;
      }
    }
    for (int c = 0; c < out.length; c++) {
      out[c] /= Math.max(1, maps.n());
    }
    return out;
  }

  private static double success(Network network, float[] triggered, int n, int target) {
    if (n == 0) {
      return 0;
    }
    int hits = 0;
    for (int p : Layers.predict(network, triggered, n)) {
      hits += p == target ? 1 : 0;
    }
    return (double) hits / n;
  }

  private static List<LabeledSample> nonTarget(List<LabeledSample> samples, int target) {
    List<LabeledSample> out = new ArrayList<>();
    for (LabeledSample s : samples) {
      if (s.getLabel() != target) {
        out.add(s);
      }
    }
    return out;
  }
}

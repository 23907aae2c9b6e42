package dev.sieve.eval.metrics;

import dev.sieve.attack.Attack;
import dev.sieve.data.FashionMnist;
import dev.sieve.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How good and how backdoored a trained model is, by BackdoorBench's conventions: clean accuracy
 * on the test set; attack success rate on the test images NOT of the target class with the
 * attack's test-time trigger applied (the share classified as the target); robust accuracy on
 * those same triggered images (the share still classified as their true class). A stream poisoned
 * by several attacks at once (a zoo draw) is measured over every attack's triggered images
 * together, each against its own target.
 *
 * @param quality the three rates
 * @param testImages the test images clean accuracy is over
 * @param triggeredImages the triggered non-target images attack success rate and robust accuracy
 *     are over
 * @param triggeredPredicted per class, how many of the triggered images the model assigns to it:
 *     where the trigger sends what it does not send to the target (one class, or spread out)
 * @param flipped triggered images whose clean version the model classifies right and the triggered
 *     one wrong: the damage the trigger does, without the model's ordinary errors that robust
 *     accuracy also counts
 */
public record ModelQuality(Quality quality, int testImages, int triggeredImages, int[] triggeredPredicted,
    int flipped) {

  public static ModelQuality measure(Network network, FashionMnist.Split test, Attack attack) {
    return measure(network, test, List.of(attack));
  }

  /** As {@link #measure(Network, FashionMnist.Split, Attack)} over the triggered images of every attack in turn. */
  public static ModelQuality measure(Network network, FashionMnist.Split test, List<Attack> attacks) {
    int n = test.size();
    int[] clean = network.predictGray(Arrays.asList(test.images()));
    int correct = 0;
    for (int i = 0; i < n; i++) {
      correct += clean[i] == test.labels()[i] ? 1 : 0;
    }
    List<byte[]> triggered = new ArrayList<>();
    List<int[]> trueLabels = new ArrayList<>();
    List<int[]> cleanPredictions = new ArrayList<>();
    for (Attack attack : attacks) {
      triggered.addAll(triggeredTestImages(test, attack));
      trueLabels.add(nonTargetLabels(test, attack.targetLabel()));
      cleanPredictions.add(nonTargetValues(test, attack.targetLabel(), clean));
    }
    int[] attacked = network.predictGray(triggered);
    int[] predicted = new int[network.architecture().numClasses()];
    int hits = 0;
    int robust = 0;
    int flipped = 0;
    int i = 0;
    for (int a = 0; a < attacks.size(); a++) {
      int[] labels = trueLabels.get(a);
      int[] cleanPredicted = cleanPredictions.get(a);
      for (int k = 0; k < labels.length; k++) {
        int label = labels[k];
        hits += attacked[i] == attacks.get(a).targetLabel() ? 1 : 0;
        robust += attacked[i] == label ? 1 : 0;
        flipped += cleanPredicted[k] == label && attacked[i] != label ? 1 : 0;
        predicted[attacked[i]]++;
        i++;
      }
    }
    return new ModelQuality(new Quality((double) correct / n,
        triggered.isEmpty() ? Double.NaN : (double) hits / triggered.size(),
        triggered.isEmpty() ? Double.NaN : (double) robust / triggered.size()),
        n, triggered.size(), predicted, flipped);
  }

  /** {@code values[i]} for the test images NOT of {@code targetLabel}, in test-set order. */
  private static int[] nonTargetValues(FashionMnist.Split test, int targetLabel, int[] values) {
    int[] out = new int[test.size()];
    int k = 0;
    for (int i = 0; i < test.size(); i++) {
      if (test.labels()[i] != targetLabel) {
        out[k++] = values[i];
      }
    }
    return Arrays.copyOf(out, k);
  }

  /** The test images NOT of the attack's target class, in test-set order, with its trigger applied. */
  public static List<byte[]> triggeredTestImages(FashionMnist.Split test, Attack attack) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < test.size(); i++) {
      if (test.labels()[i] != attack.targetLabel()) {
        out.add(attack.trigger(test.images()[i], test.rows(), test.cols()));
      }
    }
    return out;
  }

  /** The true labels of the images {@link #triggeredTestImages} returns, in the same order. */
  public static int[] nonTargetLabels(FashionMnist.Split test, int targetLabel) {
    return Arrays.stream(test.labels()).filter(label -> label != targetLabel).toArray();
  }

  // The rates by the names the demo and detox commands read them under.

  public double cleanAccuracy() {
    return quality.cleanAccuracy();
  }

  public double attackSuccessRate() {
    return quality.attackSuccessRate();
  }

  public double robustAccuracy() {
    return quality.robustAccuracy();
  }

  /** Share of the triggered images whose clean version is classified right and the triggered one not. */
  public double flipRate() {
    return triggeredImages == 0 ? Double.NaN : (double) flipped / triggeredImages;
  }

  /** Per class, the share of the triggered images the model assigns to it. */
  public double[] triggeredShares() {
    double[] out = new double[triggeredPredicted.length];
    for (int c = 0; c < out.length; c++) {
      out[c] = triggeredImages == 0 ? Double.NaN : (double) triggeredPredicted[c] / triggeredImages;
    }
    return out;
  }

  public String summaryLine() {
    return String.format(Locale.ROOT, "clean accuracy %.4f on %d test images; attack success rate %.4f and "
        + "robust accuracy %.4f on %d triggered non-target images", cleanAccuracy(), testImages,
        attackSuccessRate(), robustAccuracy(), triggeredImages);
  }
}

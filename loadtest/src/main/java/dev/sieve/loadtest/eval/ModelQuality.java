package dev.sieve.loadtest.eval;

import dev.sieve.loadtest.attack.BadNetsTrigger;
import dev.sieve.loadtest.data.FashionMnist;
import dev.sieve.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How good and how backdoored a trained model is, by BackdoorBench's conventions: clean accuracy
 * on the test set; attack success rate on the test images NOT of the target class with the
 * trigger stamped (the share classified as the target); robust accuracy on those same triggered
 * images (the share still classified as their true class).
 */
public record ModelQuality(double cleanAccuracy, double attackSuccessRate, double robustAccuracy,
    int testImages, int triggeredImages) {

  private static final int BATCH = 1000;

  public static ModelQuality measure(Network network, FashionMnist.Split test, BadNetsTrigger trigger) {
    int n = test.size();
    int[] clean = predict(network, Arrays.asList(test.images()));
    int correct = 0;
    for (int i = 0; i < n; i++) {
      correct += clean[i] == test.labels()[i] ? 1 : 0;
    }
    List<byte[]> triggered = new ArrayList<>();
    List<Integer> trueLabels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (test.labels()[i] != trigger.targetLabel()) {
        triggered.add(trigger.stamp(test.images()[i], test.rows(), test.cols()));
        trueLabels.add(test.labels()[i]);
      }
    }
    int[] attacked = predict(network, triggered);
    int hits = 0;
    int robust = 0;
    for (int i = 0; i < attacked.length; i++) {
      hits += attacked[i] == trigger.targetLabel() ? 1 : 0;
      robust += attacked[i] == trueLabels.get(i) ? 1 : 0;
    }
    return new ModelQuality((double) correct / n,
        triggered.isEmpty() ? Double.NaN : (double) hits / triggered.size(),
        triggered.isEmpty() ? Double.NaN : (double) robust / triggered.size(),
        n, triggered.size());
  }

  private static int[] predict(Network network, List<byte[]> images) {
    int[] out = new int[images.size()];
    for (int from = 0; from < images.size(); from += BATCH) {
      List<byte[]> chunk = images.subList(from, Math.min(images.size(), from + BATCH));
      int[] predicted = network.argmax(network.probabilitiesOfGray(chunk), chunk.size());
      System.arraycopy(predicted, 0, out, from, predicted.length);
    }
    return out;
  }

  public String summaryLine() {
    return String.format(Locale.ROOT, "clean accuracy %.4f on %d test images; attack success rate %.4f and "
        + "robust accuracy %.4f on %d triggered non-target images", cleanAccuracy, testImages,
        attackSuccessRate, robustAccuracy, triggeredImages);
  }
}

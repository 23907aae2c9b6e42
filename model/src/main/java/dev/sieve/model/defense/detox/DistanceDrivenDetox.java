package dev.sieve.model.defense.detox;

import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * D3, distance-driven detoxification (arXiv 2411.09585): a backdoored model sits in a basin its
 * poisoned training carved out; a model far away in weight space that still fits the clean data
 * is unlikely to keep the shortcut. Over the final linear layer θ (weights and bias):
 *
 * <pre>  min  −‖θ − θ₀‖₂ + λ · mean(relu(CE(θ) − ε))   subject to ‖θ‖₂ = ‖θ₀‖₂</pre>
 *
 * θ starts from random values rescaled to ‖θ₀‖ and is projected back onto that sphere after every
 * step, so the distance cannot be bought by growing the weights. Samples whose clean loss is
 * already under ε cost nothing, so the search is free to move wherever the clean task does not
 * object.
 *
 * <p>The final layer's input does not change while θ does, so the penultimate features of the
 * tune set are computed once and the gradient is exact and computed by hand: for one sample with
 * features h, softmax s and label y, {@code ∂CE/∂W = (s − onehot(y)) hᵀ} and {@code ∂CE/∂b = s −
 * onehot(y)}; the distance term's gradient is {@code −(θ − θ₀)/‖θ − θ₀‖}. Adam, as the reference.
 */
final class DistanceDrivenDetox {

  private DistanceDrivenDetox() {}

  static Map<String, Double> run(Network network, CleanSet clean, DetoxSettings settings, long seed,
      DetoxListener listener) {
    int classes = network.architecture().numClasses();
    float[][] features = Layers.penultimate(network, clean.tune());
    int width = features[0].length;
    int[] labels = clean.tune().stream().mapToInt(LabeledSample::getLabel).toArray();
    float[] initial = Layers.finalLayerWeights(network);
    if (initial.length != classes * width + classes) {
      throw new IllegalStateException("final layer has " + initial.length + " values, expected " + classes + "x"
          + width + " weights plus " + classes + " biases");
    }
    double[] theta0 = toDouble(initial);
    double radius = norm(theta0);
    Random random = new Random(seed);
    double[] theta = new double[theta0.length];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = random.nextGaussian();
    }
    project(theta, radius);
    double accuracyBefore = Layers.accuracy(network, clean.holdout());

    VectorAdam adam = new VectorAdam(theta.length);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      order.add(i);
    }
    double lastConstraint = Double.NaN;
    for (int epoch = 1; epoch <= settings.d3Epochs(); epoch++) {
      Collections.shuffle(order, random);
      double constraintSum = 0;
      for (int from = 0; from < order.size(); from += settings.batchSize()) {
        List<Integer> batch = order.subList(from, Math.min(order.size(), from + settings.batchSize()));
        double[] gradient = new double[theta.length];
        constraintSum += constraintGradient(theta, features, labels, batch, classes, width, settings.d3Epsilon(),
            gradient) * batch.size();
        double distance = distance(theta, theta0);
        for (int i = 0; i < theta.length; i++) {
          gradient[i] = settings.d3Lambda() * gradient[i] / batch.size()
              - (distance == 0 ? 0 : (theta[i] - theta0[i]) / distance);
        }
        adam.step(theta, gradient, settings.d3LearningRate());
        project(theta, radius);
      }
      lastConstraint = constraintSum / labels.length;
      if (epoch == settings.d3Epochs() || epoch % 20 == 0) {
        listener.onProgress(String.format(java.util.Locale.ROOT,
            "d3: epoch %d/%d, distance %.3f (radius %.3f), mean relu(CE - eps) %.4f", epoch, settings.d3Epochs(),
            distance(theta, theta0), radius, lastConstraint));
      }
    }
    float[] result = new float[theta.length];
    for (int i = 0; i < theta.length; i++) {
      result[i] = (float) theta[i];
    }
    Layers.setFinalLayerWeights(network, result);
    double accuracyAfter = Layers.accuracy(network, clean.holdout());
    Map<String, Double> report = new LinkedHashMap<>();
    report.put("distance", distance(theta, theta0));
    report.put("radius", radius);
    report.put("cleanLossExcess", lastConstraint);
    report.put("holdoutAccuracyBefore", accuracyBefore);
    report.put("holdoutAccuracyAfter", accuracyAfter);
    report.put("epochs", (double) settings.d3Epochs());
    return report;
  }

  /**
   * Adds the gradient of {@code sum relu(CE − ε)} over {@code batch} into {@code gradient}, and
   * returns the batch mean of {@code relu(CE − ε)}. Layout: weights {@code [classes][width]} then
   * biases.
   */
  static double constraintGradient(double[] theta, float[][] features, int[] labels, List<Integer> batch,
      int classes, int width, double epsilon, double[] gradient) {
    double excess = 0;
    double[] logits = new double[classes];
    for (int row : batch) {
      float[] h = features[row];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) {
        double z = theta[classes * width + k];
        for (int j = 0; j < width; j++) {
          z += theta[k * width + j] * h[j];
        }
        logits[k] = z;
        max = Math.max(max, z);
      }
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        sum += Math.exp(logits[k] - max);
      }
      double crossEntropy = Math.log(sum) + max - logits[labels[row]];
      if (crossEntropy <= epsilon) {
        continue; // relu: a sample within the tolerance pulls on nothing
      }
      excess += crossEntropy - epsilon;
      for (int k = 0; k < classes; k++) {
        double d = Math.exp(logits[k] - max) / sum - (k == labels[row] ? 1 : 0);
        gradient[classes * width + k] += d;
        for (int j = 0; j < width; j++) {
          gradient[k * width + j] += d * h[j];
        }
      }
    }
    return batch.isEmpty() ? 0 : excess / batch.size();
  }

  static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  static double distance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }

  /** Rescales {@code v} onto the sphere of the given radius, in place. */
  static void project(double[] v, double radius) {
    double n = norm(v);
    if (n == 0) {
      throw new IllegalStateException("D3's weights collapsed to zero; cannot project them back to norm " + radius);
    }
    for (int i = 0; i < v.length; i++) {
      v[i] *= radius / n;
    }
  }

  private static double[] toDouble(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}

package dev.sieve.model.defense.detox;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.sieve.model.Architecture;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.training.GradientLock;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Reverse-engineers the most likely trigger of a network from clean data alone, in the manner of
 * Neural Cleanse (Wang et al., S&amp;P 2019): ℓ∞ pruning needs triggered inputs and Sieve never
 * sees the attacker's trigger.
 *
 * <p>For every candidate target class t, it searches a mask {@code m} (one value per pixel, in
 * [0, 1]) and a pattern {@code p} (per pixel and channel, in [0, 1]) such that stamping {@code
 * x' = (1 − m)·x + m·p} onto clean images of other classes makes the network say t:
 * {@code min CE(f(x'), t) + w·‖m‖₁}, with {@code m = sigmoid(a)}, {@code p = sigmoid(b)} and Adam on
 * {@code a} and {@code b}. A backdoor is a shortcut to its target, so its class needs a much
 * smaller mask than the others. The class with the smallest mask is the suspected target, and
 * the anomaly index (distance below the median norm in units of the median absolute deviation,
 * scaled by 1.4826) says how clear that is: Neural Cleanse flags an index above 2.
 */
final class TriggerReverser {

  /** The reversed trigger of the suspected target, and every class's mask norm. */
  record Trigger(int target, float[] mask, float[] pattern, double maskL1, double success, double anomalyIndex,
      double[] maskL1PerClass) {

    /** {@code images} (CHW in [0, 1]) with the trigger stamped on. */
    float[] stamp(float[] images, int n, Architecture arch) {
      int area = arch.height() * arch.width();
      int per = arch.pixelsPerImage();
      float[] out = new float[n * per];
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < arch.channels(); c++) {
          for (int p = 0; p < area; p++) {
            int at = i * per + c * area + p;
            out[at] = (1 - mask[p]) * images[at] + mask[p] * pattern[c * area + p];
          }
        }
      }
      return out;
    }
  }

  private TriggerReverser() {}

  static Trigger reverse(Network network, List<LabeledSample> clean, DetoxSettings settings, long seed,
      DetoxListener listener) {
    Architecture arch = network.architecture();
    int classes = arch.numClasses();
    Trigger best = null;
    double[] norms = new double[classes];
    Arrays.fill(norms, Double.NaN);
    for (int target = 0; target < classes; target++) {
      List<LabeledSample> others = new ArrayList<>();
      for (LabeledSample s : clean) {
        if (s.getLabel() != target) {
          others.add(s);
        }
      }
      if (others.isEmpty()) {
        continue;
      }
      Trigger t = reverseFor(network, target, others, settings, new Random(seed + target));
      norms[target] = t.maskL1();
      listener.onProgress(String.format(java.util.Locale.ROOT,
          "trigger reverse-engineering: class %d mask L1 %.1f px, success %.3f", target, t.maskL1(), t.success()));
      // A candidate that does not flip the network is no trigger, however small its mask.
      if (best == null || score(t) < score(best)) {
        best = t;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("the clean set has samples of one class only; reversing a trigger needs"
          + " images of other classes than the target");
    }
    double anomaly = anomalyIndex(norms, best.maskL1());
    return new Trigger(best.target(), best.mask(), best.pattern(), best.maskL1(), best.success(), anomaly, norms);
  }

  /** Smaller is more suspect: the mask size of a trigger that works; a failed or diverged search ranks last. */
  private static double score(Trigger t) {
    if (!Double.isFinite(t.maskL1())) {
      return Double.MAX_VALUE;
    }
    return t.success() >= 0.5 ? t.maskL1() : Double.MAX_VALUE / 2 - t.success();
  }

  /** {@code (median − norm) / (1.4826 · MAD)} over the finite norms; 0 when they do not spread. */
  static double anomalyIndex(double[] norms, double norm) {
    double[] finite = Arrays.stream(norms).filter(Double::isFinite).sorted().toArray();
    if (finite.length < 3) {
      return 0;
    }
    double median = median(finite);
    double[] deviations = Arrays.stream(finite).map(v -> Math.abs(v - median)).sorted().toArray();
    double mad = 1.4826 * median(deviations);
    return mad == 0 ? 0 : (median - norm) / mad;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static Trigger reverseFor(Network network, int target, List<LabeledSample> others, DetoxSettings settings,
      Random random) {
    Architecture arch = network.architecture();
    int area = arch.height() * arch.width();
    int per = arch.pixelsPerImage();
    float[] a = new float[area];
    float[] b = new float[per];
    // Start from a faint mask (sigmoid(-2) ≈ 0.12) so the L1 term does not dominate the first steps.
    Arrays.fill(a, -2f);
    VectorAdam adamA = new VectorAdam(area);
    VectorAdam adamB = new VectorAdam(per);
    float[] images = ImageTensors.chwBatch(others, arch);
    int batch = Math.min(settings.batchSize(), others.size());
    for (int step = 1; step <= settings.reverseSteps(); step++) {
      float[] x = new float[batch * per];
      for (int i = 0; i < batch; i++) {
        System.arraycopy(images, random.nextInt(others.size()) * per, x, i * per, per);
      }
      float[][] grads = gradients(network, x, batch, a, b, target, settings.reverseMaskWeight());
      adamA.step(a, grads[0], settings.reverseLearningRate());
      adamB.step(b, grads[1], settings.reverseLearningRate());
    }
    float[] mask = new float[area];
    double l1 = 0;
    for (int p = 0; p < area; p++) {
      mask[p] = sigmoid(a[p]);
      l1 += mask[p];
    }
    float[] pattern = new float[per];
    for (int p = 0; p < per; p++) {
      pattern[p] = sigmoid(b[p]);
    }
    Trigger t = new Trigger(target, mask, pattern, l1, 0, 0, new double[0]);
    int[] predicted = Layers.predict(network, t.stamp(images, others.size(), arch), others.size());
    int hits = 0;
    for (int p : predicted) {
      hits += p == target ? 1 : 0;
    }
    return new Trigger(target, mask, pattern, l1, (double) hits / others.size(), 0, new double[0]);
  }

  /** Gradients of {@code CE(f(stamped x), target) + w·sum(m)} with respect to {@code a} and {@code b}. */
  private static float[][] gradients(Network network, float[] x, int n, float[] a, float[] b, int target,
      double maskWeight) {
    Architecture arch = network.architecture();
    GradientLock.lock();
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      NDArray images = manager.create(x, new Shape(n, arch.channels(), arch.height(), arch.width()));
      NDArray maskLogits = manager.create(a, new Shape(1, 1, arch.height(), arch.width()));
      NDArray patternLogits = manager.create(b, new Shape(1, arch.channels(), arch.height(), arch.width()));
      maskLogits.setRequiresGradient(true);
      patternLogits.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        // libtorch's sigmoid: 1 / (1 + exp(-a)) written out overflows to inf/inf = NaN in the
        // gradient once a mask pixel's logit runs far negative, which is where small masks go.
        NDArray m = Activation.sigmoid(maskLogits);
        NDArray p = Activation.sigmoid(patternLogits);
        NDArray stamped = images.mul(m.neg().add(1)).add(m.mul(p));
        NDArray logits = network.model().getBlock()
            .forward(new ParameterStore(manager, false), new NDList(stamped), false).singletonOrThrow();
        NDArray crossEntropy = logits.logSoftmax(1).get(":, " + target).neg().mean();
        NDArray loss = crossEntropy.add(m.sum().mul((float) maskWeight));
        collector.backward(loss);
        return new float[][] {maskLogits.getGradient().toFloatArray(), patternLogits.getGradient().toFloatArray()};
      }
    } finally {
      GradientLock.unlock();
    }
  }

  private static float sigmoid(float v) {
    return (float) (1 / (1 + Math.exp(-v)));
  }
}

package dev.sieve.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import dev.sieve.model.Architecture;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.training.GradientLock;

/**
 * Untargeted ℓ∞ PGD (Madry et al., 2018) against a fixed network: starting from the clean image,
 * {@code steps} times step by {@code stepSize·sign(∇x CE(f(x), y))} and project back into the
 * {@code epsilon} ball around the clean image and into [0, 1]. It pushes each image away from its
 * own label, which is what makes a label-consistent poison hard to learn without the trigger.
 *
 * <p>The network's weights are only read: gradients are taken with respect to the input, no
 * optimizer runs. Each gradient is collected under the {@link GradientLock}, because DJL's
 * PyTorch engine allows one collecting GradientCollector per JVM; the collector also switches
 * libtorch's thread-local grad mode on for its lifetime (inference elsewhere switches it off).
 */
final class ProjectedGradientAscent {

  private final float epsilon;
  private final float stepSize;
  private final int steps;
  private final int batchSize;

  ProjectedGradientAscent(float epsilon, float stepSize, int steps, int batchSize) {
    if (!(epsilon > 0 && stepSize > 0) || steps < 1 || batchSize < 1) {
      throw new IllegalArgumentException("PGD needs epsilon > 0, step size > 0, steps >= 1 and batch size >= 1, got "
          + epsilon + ", " + stepSize + ", " + steps + ", " + batchSize);
    }
    this.epsilon = epsilon;
    this.stepSize = stepSize;
    this.steps = steps;
    this.batchSize = batchSize;
  }

  /** Perturbed copies of the uint8 {@code images}, each pushed away from its {@code labels[i]}. */
  byte[][] perturb(Network network, byte[][] images, int[] labels) {
    if (images.length != labels.length) {
      throw new IllegalArgumentException(images.length + " images but " + labels.length + " labels");
    }
    int per = network.architecture().pixelsPerImage();
    int channels = network.architecture().channels();
    byte[][] out = new byte[images.length][];
    for (int from = 0; from < images.length; from += batchSize) {
      int n = Math.min(batchSize, images.length - from);
      float[] clean = new float[n * per];
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        byte[] image = images[from + i];
        if (image.length != per) {
          throw new IllegalArgumentException("image " + (from + i) + " has " + image.length + " bytes, expected "
              + per + " for " + network.architecture().id());
        }
        ImageTensors.hwcToChw(image, channels, clean, i * per);
        y[i] = labels[from + i];
      }
      float[] adversarial = attackBatch(network, clean, y);
      for (int i = 0; i < n; i++) {
        byte[] image = new byte[per];
        int plane = per / channels;
        // Back from the network's CHW to the images' interleaved HWC.
        for (int p = 0; p < plane; p++) {
          for (int ch = 0; ch < channels; ch++) {
            image[p * channels + ch] = Pixels.toUint8(adversarial[i * per + ch * plane + p] * 255.0);
          }
        }
        out[from + i] = image;
      }
    }
    return out;
  }

  private float[] attackBatch(Network network, float[] clean, int[] labels) {
    float[] x = clean.clone();
    for (int s = 0; s < steps; s++) {
      float[] gradient = inputGradient(network, x, labels);
      for (int p = 0; p < x.length; p++) {
        float moved = x[p] + stepSize * Math.signum(gradient[p]);
        float low = Math.max(0f, clean[p] - epsilon);
        float high = Math.min(1f, clean[p] + epsilon);
        x[p] = Math.max(low, Math.min(high, moved));
      }
    }
    return x;
  }

  /** d mean-CE / d input for one batch, as a flat NCHW array. */
  private static float[] inputGradient(Network network, float[] x, int[] labels) {
    Architecture arch = network.architecture();
    GradientLock.lock();
    try (NDManager manager = network.model().getNDManager().newSubManager();
        GradientCollector collector = manager.getEngine().newGradientCollector()) {
      NDArray input = manager.create(x, new Shape(labels.length, arch.channels(), arch.height(), arch.width()));
      input.setRequiresGradient(true);
      NDArray logits = network.model().getBlock()
          .forward(new ParameterStore(manager, false), new NDList(input), false)
          .singletonOrThrow();
      NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(manager.create(labels)), new NDList(logits));
      collector.backward(loss);
      return input.getGradient().toFloatArray();
    } finally {
      GradientLock.unlock();
    }
  }
}

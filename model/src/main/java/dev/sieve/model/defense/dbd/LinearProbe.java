package dev.sieve.model.defense.dbd;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.sieve.model.ComputeDevice;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.Permutations;
import dev.sieve.model.training.GradientLock;
import java.util.Random;

/**
 * DBD stage 2: the backbone is frozen and only the linear head is trained on the claimed labels
 * with {@link SymmetricCrossEntropy}. The backbone's features do not change while it is frozen,
 * so they are computed once and the head is trained on them, which makes an epoch cost a few
 * milliseconds instead of a pass through the CNN.
 *
 * <p>The head is the network's own last Linear layer, trained in place inside a model of its own
 * that holds only that layer, so the optimizer never touches the backbone.
 */
final class LinearProbe {

  /** Mean loss of each epoch, and the final head's SCE loss on every sample, in input order. */
  record Outcome(double[] epochLosses, double[] sampleLosses) {}

  private LinearProbe() {}

  /**
   * @param features backbone features, row-major {@code [n * width]}
   * @param labels claimed labels
   */
  static Outcome train(DecoupledNetwork parts, float[] features, int[] labels, DbdSettings settings, long seed,
      EpochListener listener) {
    int n = labels.length;
    int width = parts.featureWidth();
    int classes = parts.network().architecture().numClasses();
    if (features.length != n * width) {
      throw new IllegalArgumentException("features hold " + features.length + " values, expected "
          + n + " samples x " + width);
    }
    float[] oneHot = oneHot(labels, classes);
    SymmetricCrossEntropy sce = new SymmetricCrossEntropy(settings.sceAlpha(), settings.sceBeta());
    Random random = new Random(seed);
    int epochs = settings.linearEpochs();
    double[] losses = new double[epochs];
    try (Model model = Model.newInstance("dbd-linear-head", ComputeDevice.current())) {
      model.setBlock(parts.linearHead());
      DefaultTrainingConfig config = new DefaultTrainingConfig(sce)
          .optOptimizer(Optimizer.adam()
              .optLearningRateTracker(Tracker.fixed((float) settings.linearLearningRate())).build())
          .optDevices(ComputeDevice.of(model));
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(1, width));
        int batch = settings.batchSize();
        for (int e = 0; e < epochs; e++) {
          int[] order = Permutations.random(n, random);
          double sum = 0;
          int steps = 0;
          for (int from = 0; from < n; from += batch) {
            int m = Math.min(batch, n - from);
            float[] x = new float[m * width];
            float[] y = new float[m * classes];
            for (int i = 0; i < m; i++) {
              System.arraycopy(features, order[from + i] * width, x, i * width, width);
              System.arraycopy(oneHot, order[from + i] * classes, y, i * classes, classes);
            }
            sum += step(trainer, model, x, y, m, width, classes);
            steps++;
            listener.afterBatch(DbdTrainer.LINEAR);
          }
          losses[e] = sum / steps;
          listener.onEpoch(DbdTrainer.LINEAR, e + 1, epochs, losses[e]);
        }
      }
      return new Outcome(losses, sampleLosses(model, sce, features, oneHot, n, width, classes));
    }
  }

  private static float step(Trainer trainer, Model model, float[] x, float[] y, int m, int width, int classes) {
    GradientLock.lock();
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray input = manager.create(x, new Shape(m, width));
      NDArray targets = manager.create(y, new Shape(m, classes));
      float value;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
        NDArray loss = trainer.getLoss().evaluate(new NDList(targets), new NDList(logits));
        collector.backward(loss);
        value = loss.getFloat();
      }
      trainer.step();
      return value;
    } finally {
      GradientLock.unlock();
    }
  }

  private static double[] sampleLosses(Model model, SymmetricCrossEntropy sce, float[] features, float[] oneHot,
      int n, int width, int classes) {
    JniUtils.setGradMode(false);
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray x = manager.create(features, new Shape(n, width));
      NDArray logits = model.getBlock().forward(new ParameterStore(manager, false), new NDList(x), false)
          .singletonOrThrow();
      float[] values = sce.perSample(logits, manager.create(oneHot, new Shape(n, classes))).toFloatArray();
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = values[i];
      }
      return out;
    }
  }

  static float[] oneHot(int[] labels, int classes) {
    float[] out = new float[labels.length * classes];
    for (int i = 0; i < labels.length; i++) {
      out[i * classes + labels[i]] = 1f;
    }
    return out;
  }
}

package dev.sieve.model.defense.dbd;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.sieve.model.Architecture;
import dev.sieve.model.ComputeDevice;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.Permutations;
import dev.sieve.model.training.GradientLock;
import java.util.Random;

/**
 * DBD stage 1: self-supervised SimCLR training of the backbone on every sample, labels unused.
 * Each batch gives two {@link SimClrAugment} views per image; the backbone and a projection head
 * (Linear-BatchNorm-ReLU-Linear, kept only for this stage, as SimCLR does) embed them, and {@link
 * NtXent} pulls the two views of an image together and pushes other images away.
 *
 * <p>Why batch norm in the projection head: the backbone ends in a ReLU, so its features are all
 * positive and at first every embedding points the same way; NT-Xent then pushes that common part
 * down for every sample at once and kills units. Batch norm takes the batch mean out, so the
 * common part gets no gradient. Without it, on 2,000 Fashion-MNIST images at Adam 1e-3, 2 of 3
 * runs collapsed in the first epoch (loss stuck near log(2N − 1): every embedding the same), and
 * with the warm-up below still 1 of 3 seeds did. SimCLR's reference head has batch norm too; the
 * backbone has none and gets none, so the network stays as it is.
 *
 * <p>Why it helps against backdoors: with no labels there is no shortcut from a trigger to the
 * target class, so poisoned images land near the clean images of their true class, and a head
 * trained on these features later finds the poisoned labels hard to fit.
 *
 * <p>The backbone's parameters are the network's own and are trained in place; the projection
 * head lives in a model of its own, closed at the end of the run.
 */
final class SimClr {

  /**
   * Adam's learning rate rises linearly from 1 % over this many steps (or half the run, if
   * shorter), then falls along a cosine to 1 % at the end. Why the warm-up: Adam's first steps
   * move every weight by about the full learning rate whatever the gradient's size, and the hidden
   * Linear has 3,136 non-negative inputs, so one such step can shift a unit's input by O(1) and
   * kill it for good. Without it, one of three seeds on 2,000 Fashion-MNIST images collapsed in
   * the first epoch even with batch norm in the projection head. The cosine decay is SimCLR's
   * (and DBD's reference's) schedule.
   */
  static final int WARMUP_STEPS = 16;

  private SimClr() {}

  /**
   * Runs {@code settings.simclrEpochs()} epochs over {@code images}.
   *
   * @param images NCHW pixels in [0,1] of all samples, row-major
   * @return the mean NT-Xent loss of each epoch
   */
  static double[] train(DecoupledNetwork parts, float[] images, int n, DbdSettings settings, long seed,
      EpochListener listener) {
    if (n < 2) {
      throw new IllegalArgumentException("SimCLR needs at least 2 samples (a view's negatives are the other"
          + " images), got " + n);
    }
    Architecture arch = parts.network().architecture();
    int per = arch.pixelsPerImage();
    int epochs = settings.simclrEpochs();
    double[] losses = new double[epochs];
    if (epochs == 0) {
      return losses;
    }
    Random random = new Random(seed);
    SimClrAugment augment = new SimClrAugment(random);
    // The projection head's initial weights come from the engine's generator, as in Network.create.
    Engine.getInstance().setRandomSeed((int) seed);
    SequentialBlock projection = new SequentialBlock()
        .add(Linear.builder().setUnits(parts.featureWidth()).build())
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(settings.projectionDim()).build());
    try (Model model = Model.newInstance("dbd-simclr", ComputeDevice.current())) {
      model.setBlock(new SequentialBlock().add(parts.backbone()).add(projection));
      DefaultTrainingConfig config = new DefaultTrainingConfig(new SymmetricCrossEntropy(1, 0)) // unused: NT-Xent below
          .optOptimizer(Optimizer.adam()
              .optLearningRateTracker(learningRate(settings.simclrLearningRate(), epochs * stepsPerEpoch(n, settings)))
              .build())
          .optDevices(ComputeDevice.of(model));
      try (Trainer trainer = model.newTrainer(config)) {
        // Initialises the projection head only: the backbone's parameters are already set.
        trainer.initialize(arch.inputShape());
        int batch = settings.simclrBatch();
        for (int e = 0; e < epochs; e++) {
          int[] order = Permutations.random(n, random);
          double sum = 0;
          int steps = 0;
          for (int from = 0; from < n; from += batch) {
            int m = Math.min(batch, n - from);
            if (m < 2) {
              break; // a lone image has no negative; it is in another batch next epoch
            }
            float[] views = new float[2 * m * per];
            for (int i = 0; i < m; i++) {
              float[] image = new float[per];
              System.arraycopy(images, order[from + i] * per, image, 0, per);
              System.arraycopy(augment.apply(image, arch.channels(), arch.height(), arch.width()), 0, views, i * per, per);
              System.arraycopy(augment.apply(image, arch.channels(), arch.height(), arch.width()), 0, views,
                  (m + i) * per, per);
            }
            sum += step(trainer, model, views, m, arch, settings.temperature());
            steps++;
            listener.afterBatch(DbdTrainer.SIMCLR);
          }
          losses[e] = sum / steps;
          listener.onEpoch(DbdTrainer.SIMCLR, e + 1, epochs, losses[e]);
        }
      }
    }
    return losses;
  }

  /** Warm-up then cosine decay, see {@link #WARMUP_STEPS}. */
  static Tracker learningRate(double peak, int totalSteps) {
    float lr = (float) peak;
    int warmUp = Math.max(1, Math.min(WARMUP_STEPS, totalSteps / 2));
    Tracker cosine = Tracker.cosine().setBaseValue(lr).optFinalValue(lr / 100)
        .setMaxUpdates(Math.max(1, totalSteps - warmUp)).build();
    return Tracker.warmUp().setMainTracker(cosine).optWarmUpSteps(warmUp).optWarmUpBeginValue(lr / 100).build();
  }

  /** Steps per epoch: a final batch of one image is skipped (it has no negative). */
  static int stepsPerEpoch(int n, DbdSettings settings) {
    int batch = settings.simclrBatch();
    return n / batch + (n % batch >= 2 ? 1 : 0);
  }

  private static float step(Trainer trainer, Model model, float[] views, int m, Architecture arch, double temperature) {
    GradientLock.lock();
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray x = manager.create(views, new Shape(2L * m, arch.channels(), arch.height(), arch.width()));
      float value;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray z = trainer.forward(new NDList(x)).singletonOrThrow();
        NDArray loss = NtXent.loss(z.get("0:" + m), z.get(m + ":"), temperature);
        collector.backward(loss);
        value = loss.getFloat();
      }
      trainer.step();
      return value;
    } finally {
      GradientLock.unlock();
    }
  }
}

package dev.sieve.model.defense.dbd;

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
import dev.sieve.model.Architecture;
import dev.sieve.model.ComputeDevice;
import dev.sieve.model.Network;
import dev.sieve.model.Permutations;
import dev.sieve.model.training.GradientLock;
import dev.sieve.model.training.beneficiary.Augment;
import dev.sieve.model.training.beneficiary.SoftTargetCrossEntropy;
import java.util.Random;

/**
 * DBD stage 3: MixMatch (Berthelot et al. 2019) on the whole network, with the high-credible
 * samples labelled and the rest unlabelled. A step:
 * <ol>
 *   <li>a labelled batch, one augmentation each, with one-hot targets;
 *   <li>an unlabelled batch of the same size, K augmentations each; its guessed label is the mean
 *       softmax over the K views (no gradient), sharpened with temperature T;
 *   <li>MixUp over the concatenation [labelled, unlabelled views] with a shuffled copy of itself,
 *       weight {@code max(l, 1 − l)}, {@code l ~ Beta(α, α)};
 *   <li>{@code Lx} = soft-target cross-entropy on the mixed labelled rows, {@code Lu} = mean
 *       squared error between softmax and mixed guessed labels on the mixed unlabelled rows (mean
 *       over rows and classes, as MixMatch's reference has it), {@code loss = Lx + λ_u(step)·Lu}
 *       with λ_u ramped linearly from 0 over all steps; one Adam step.
 * </ol>
 * An epoch is one pass over the labelled set; the unlabelled set is cycled in a fresh order each
 * time it runs out. Augmentation is {@link Augment} (shift by up to 2 pixels, horizontal flip).
 */
final class MixMatchTrainer implements AutoCloseable {

  private static final int AUGMENT_PADDING = 2;

  /** The parts of one step's loss. */
  record Losses(float labelled, float unlabelled, float total) {}

  private final Network network;
  private final Architecture arch;
  private final DbdSettings settings;
  private final Trainer trainer;
  private final Random random;
  private final Augment augment;
  private final SoftTargetCrossEntropy crossEntropy = new SoftTargetCrossEntropy();

  MixMatchTrainer(Network network, DbdSettings settings, long seed) {
    this.network = network;
    this.arch = network.architecture();
    this.settings = settings;
    this.random = new Random(seed);
    this.augment = new Augment(AUGMENT_PADDING, random);
    DefaultTrainingConfig config = new DefaultTrainingConfig(crossEntropy)
        .optOptimizer(Optimizer.adam()
            .optLearningRateTracker(Tracker.fixed((float) settings.mixmatchLearningRate())).build())
        .optDevices(ComputeDevice.of(network.model()));
    this.trainer = network.model().newTrainer(config);
    trainer.initialize(arch.inputShape());
  }

  /**
   * Runs {@code settings.mixmatchEpochs()} epochs.
   *
   * @param images NCHW pixels in [0,1] of all samples, row-major
   * @param labels claimed labels of all samples (only the labelled ones are read)
   * @param labelled which samples keep their labels; at least one
   * @return the mean total loss of each epoch
   */
  double[] train(float[] images, int[] labels, boolean[] labelled, EpochListener listener) {
    int[] labelledIds = indices(labelled, true);
    int[] unlabelledIds = indices(labelled, false);
    if (labelledIds.length == 0) {
      throw new IllegalArgumentException("MixMatch needs at least one labelled sample, got none");
    }
    int epochs = settings.mixmatchEpochs();
    int batch = settings.batchSize();
    int stepsPerEpoch = (labelledIds.length + batch - 1) / batch;
    long totalSteps = (long) epochs * stepsPerEpoch;
    long step = 0;
    double[] losses = new double[epochs];
    UnlabelledStream stream = new UnlabelledStream(unlabelledIds, random);
    for (int e = 0; e < epochs; e++) {
      int[] order = Permutations.random(labelledIds.length, random);
      double sum = 0;
      for (int s = 0; s < stepsPerEpoch; s++) {
        int from = s * batch;
        int m = Math.min(batch, labelledIds.length - from);
        int[] xIds = new int[m];
        for (int i = 0; i < m; i++) {
          xIds[i] = labelledIds[order[from + i]];
        }
        int[] uIds = stream.next(Math.min(m, unlabelledIds.length));
        double lambda = MixMatch.rampedLambda(settings.lambdaU(), step++, totalSteps);
        sum += step(images, labels, xIds, uIds, lambda).total();
        listener.afterBatch(DbdTrainer.MIXMATCH);
      }
      losses[e] = sum / stepsPerEpoch;
      listener.onEpoch(DbdTrainer.MIXMATCH, e + 1, epochs, losses[e]);
    }
    return losses;
  }

  /** One MixMatch step on the given labelled and unlabelled sample ids. */
  Losses step(float[] images, int[] labels, int[] xIds, int[] uIds, double lambda) {
    int classes = arch.numClasses();
    int per = arch.pixelsPerImage();
    int k = settings.augmentations();
    int m = xIds.length;
    int u = uIds.length;
    int rows = m + k * u;

    float[] inputs = new float[rows * per];
    float[] targets = new float[rows * classes];
    for (int i = 0; i < m; i++) {
      System.arraycopy(augmented(images, xIds[i]), 0, inputs, i * per, per);
      targets[i * classes + labels[xIds[i]]] = 1f;
    }
    if (u > 0) {
      float[][] probabilities = new float[k][];
      for (int view = 0; view < k; view++) {
        float[] viewImages = new float[u * per];
        for (int i = 0; i < u; i++) {
          System.arraycopy(augmented(images, uIds[i]), 0, viewImages, i * per, per);
        }
        System.arraycopy(viewImages, 0, inputs, (m + view * u) * per, u * per);
        probabilities[view] = probabilitiesNoGrad(viewImages, u);
      }
      float[] guessed = MixMatch.sharpen(MixMatch.mean(probabilities), classes, settings.sharpenTemperature());
      for (int view = 0; view < k; view++) {
        System.arraycopy(guessed, 0, targets, (m + view * u) * classes, u * classes);
      }
    }
    double weight = MixMatch.mixupWeight(random, settings.mixupAlpha());
    int[] partner = Permutations.random(rows, random);
    float[] mixedInputs = MixMatch.mix(inputs, per, partner, weight);
    float[] mixedTargets = MixMatch.mix(targets, classes, partner, weight);
    return train(mixedInputs, mixedTargets, m, rows, lambda);
  }

  private Losses train(float[] inputs, float[] targets, int m, int rows, double lambda) {
    int classes = arch.numClasses();
    GradientLock.lock();
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      NDArray x = manager.create(inputs, new Shape(rows, arch.channels(), arch.height(), arch.width()));
      NDArray y = manager.create(targets, new Shape(rows, classes));
      float lx;
      float lu = 0f;
      float total;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
        NDArray labelledLoss = crossEntropy.evaluate(new NDList(y.get("0:" + m)), new NDList(logits.get("0:" + m)));
        NDArray loss = labelledLoss;
        lx = labelledLoss.getFloat();
        if (rows > m) {
          NDArray unlabelledLoss = logits.get(m + ":").softmax(1).sub(y.get(m + ":")).square().mean();
          lu = unlabelledLoss.getFloat();
          loss = labelledLoss.add(unlabelledLoss.mul((float) lambda));
        }
        collector.backward(loss);
        total = loss.getFloat();
      }
      trainer.step();
      return new Losses(lx, lu, total);
    } finally {
      GradientLock.unlock();
    }
  }

  private float[] probabilitiesNoGrad(float[] viewImages, int n) {
    JniUtils.setGradMode(false);
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      NDArray x = manager.create(viewImages, new Shape(n, arch.channels(), arch.height(), arch.width()));
      return network.model().getBlock().forward(new ParameterStore(manager, false), new NDList(x), false)
          .singletonOrThrow().softmax(1).toFloatArray();
    }
  }

  private float[] augmented(float[] images, int id) {
    int per = arch.pixelsPerImage();
    float[] image = new float[per];
    System.arraycopy(images, id * per, image, 0, per);
    return augment.apply(image, arch.channels(), arch.height(), arch.width());
  }

  private static int[] indices(boolean[] mask, boolean value) {
    int count = 0;
    for (boolean b : mask) {
      if (b == value) {
        count++;
      }
    }
    int[] out = new int[count];
    int j = 0;
    for (int i = 0; i < mask.length; i++) {
      if (mask[i] == value) {
        out[j++] = i;
      }
    }
    return out;
  }

  /** The unlabelled ids in shuffled passes: each pass visits every id once, then a new order starts. */
  private static final class UnlabelledStream {
    private final int[] ids;
    private final Random random;
    private int[] order;
    private int position;

    UnlabelledStream(int[] ids, Random random) {
      this.ids = ids;
      this.random = random;
      this.order = Permutations.random(ids.length, random);
    }

    int[] next(int count) {
      int[] out = new int[count];
      for (int i = 0; i < count; i++) {
        if (position == order.length) {
          order = Permutations.random(ids.length, random);
          position = 0;
        }
        out[i] = ids[order[position++]];
      }
      return out;
    }
  }

  @Override
  public void close() {
    trainer.close();
  }
}

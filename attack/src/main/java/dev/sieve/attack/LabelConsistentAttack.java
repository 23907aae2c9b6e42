package dev.sieve.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sieve.data.FashionMnist;
import dev.sieve.model.Architecture;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.training.ClassifierTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label-consistent attack (Turner, Tsipras &amp; Madry, 2019): clean-label, so only images of
 * the target class are poisoned and they keep their (correct) labels. To make the model lean on
 * the trigger anyway, each image is first made hard to classify by its content: untargeted ℓ∞
 * PGD against a surrogate model (epsilon 0.1 on the [0, 1] scale, 10 steps of 0.025), then the
 * 3x3 BadNets patch is stamped on. At test time the trigger is the patch alone, the standard
 * evaluation of this attack.
 *
 * <p>The surrogate is a fresh small CNN for the split's shape ({@link Architecture#FMNIST_CNN_V1}
 * on Fashion-MNIST) trained for two epochs of Adam
 * on the whole clean training split: the attacker owns the data set before poisoning it. That
 * takes some seconds, so it happens in {@link #poison} and only when there is something to poison.
 * Perturbed pixels move by at most epsilon plus half a grey level of rounding to uint8.
 */
public final class LabelConsistentAttack implements Attack {

  private static final Logger LOG = LoggerFactory.getLogger(LabelConsistentAttack.class);

  public static final float EPSILON = 0.1f;
  public static final float STEP_SIZE = 0.025f;
  public static final int STEPS = 10;
  public static final int DEFAULT_SURROGATE_EPOCHS = 2;
  private static final int PGD_BATCH = 256;
  private static final int SURROGATE_BATCH = 128;
  private static final float SURROGATE_LEARNING_RATE = 1e-3f;

  private final int targetLabel;
  private final int surrogateEpochs;
  private final BadNetsTrigger patch;
  private final ProjectedGradientAscent pgd = new ProjectedGradientAscent(EPSILON, STEP_SIZE, STEPS, PGD_BATCH);

  public LabelConsistentAttack(int targetLabel) {
    this(targetLabel, DEFAULT_SURROGATE_EPOCHS);
  }

  /** A shorter surrogate training, for tests. */
  LabelConsistentAttack(int targetLabel, int surrogateEpochs) {
    this(new BadNetsTrigger(BadNetsTrigger.DEFAULT_SIZE, targetLabel), surrogateEpochs);
  }

  /**
   * The attack with another patch (the zoo draws one from its patch family), towards the patch's
   * target, with the default surrogate.
   */
  public LabelConsistentAttack(BadNetsTrigger patch) {
    this(patch, DEFAULT_SURROGATE_EPOCHS);
  }

  LabelConsistentAttack(BadNetsTrigger patch, int surrogateEpochs) {
    if (surrogateEpochs < 1) {
      throw new IllegalArgumentException("surrogate epochs must be >= 1, got " + surrogateEpochs);
    }
    this.patch = Objects.requireNonNull(patch, "patch");
    this.targetLabel = patch.targetLabel();
    this.surrogateEpochs = surrogateEpochs;
  }

  @Override
  public String name() {
    return patch.equals(new BadNetsTrigger(BadNetsTrigger.DEFAULT_SIZE, targetLabel)) ? "label-consistent"
        : "label-consistent-" + patch.name();
  }

  @Override
  public int targetLabel() {
    return targetLabel;
  }

  @Override
  public boolean cleanLabel() {
    return true;
  }

  /** The patch that {@link #trigger} and the poisoned images carry. */
  public BadNetsTrigger patch() {
    return patch;
  }

  /**
   * Trains the surrogate on all of {@code train} (seeded by {@code seed}), perturbs the chosen
   * images against their own labels and stamps the patch on them.
   */
  @Override
  public byte[][] poison(FashionMnist.Split train, int[] indices, long seed) {
    if (indices.length == 0) {
      return new byte[0][];
    }
    byte[][] chosen = new byte[indices.length][];
    int[] labels = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      chosen[k] = Pixels.image(train, indices[k]);
      labels[k] = train.labels()[indices[k]];
    }
    long started = System.nanoTime();
    LOG.info("label-consistent: training a surrogate for {} epoch(s) on {} samples, then PGD on {} images ...",
        surrogateEpochs, train.size(), indices.length);
    byte[][] out;
    try (Network surrogate = trainSurrogate(train, seed)) {
      out = pgd.perturb(surrogate, chosen, labels);
    }
    for (int k = 0; k < out.length; k++) {
      out[k] = patch.stamp(out[k], train.rows(), train.cols());
    }
    LOG.info("label-consistent: {} poisoned images ready in {} s", out.length,
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
    return out;
  }

  @Override
  public byte[] trigger(byte[] image, int rows, int cols) {
    return patch.stamp(image, rows, cols);
  }

  private Network trainSurrogate(FashionMnist.Split train, long seed) {
    // The small CNN for the split's shape: fmnist-cnn-v1 on Fashion-MNIST itself.
    Architecture arch = new Architecture(Architecture.Family.SMALL_CNN, train.channels(), train.rows(), train.cols(),
        FashionMnist.NUM_CLASSES);
    Network network = Network.create(arch, seed);
    Random random = new Random(seed);
    Integer[] order = new Integer[train.size()];
    Arrays.setAll(order, i -> i);
    try (ClassifierTrainer trainer = new ClassifierTrainer(network, SURROGATE_LEARNING_RATE)) {
      for (int epoch = 0; epoch < surrogateEpochs; epoch++) {
        Collections.shuffle(Arrays.asList(order), random);
        for (int from = 0; from < order.length; from += SURROGATE_BATCH) {
          int n = Math.min(SURROGATE_BATCH, order.length - from);
          List<byte[]> images = new ArrayList<>(n);
          int[] labels = new int[n];
          for (int i = 0; i < n; i++) {
            images.add(train.images()[order[from + i]]);
            labels[i] = train.labels()[order[from + i]];
          }
          try (NDManager manager = network.model().getNDManager().newSubManager()) {
            NDArray x = ImageTensors.batchFromGray(manager, arch, images);
            trainer.step(x, manager.create(labels));
          }
        }
      }
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
    return network;
  }

  @Override
  public String toString() {
    return name() + " (target " + targetLabel + ")";
  }
}

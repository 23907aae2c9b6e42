package dev.sieve.model.training.beneficiary;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.sieve.model.Architecture;
import dev.sieve.model.ComputeDevice;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.Permutations;
import dev.sieve.model.training.GradientLock;
import dev.sieve.schemas.LabeledSample;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * One optimizer step of V&B's Beneficiary: AttentionMix cross-entropy on the credible samples,
 * with their labels suppressed by the Victim, plus hard pseudo-labelling with Victim suppression
 * on the suspicious samples.
 *
 * <p>Why it resists the poison that slips through the filter: the Victim is retrained on the
 * suspicious samples only, so it keeps the backdoor and forgets the clean task. For a poisoned
 * sample relabelled to the target it is sure of the target, the suppressed target {@code
 * clip(onehot − softmax(victim/T), 0, 1)} is ≈ 0 and the sample teaches nothing; for a clean
 * sample the Victim is unsure and the target stays ≈ one-hot (see {@link VictimSuppression}).
 * AttentionMix (see {@link AttentionMix}) dilutes what the network attends to, a trigger
 * included, with a partner's pixels and label.
 *
 * <p>A step, in order: augment the images, and occlude the credible ones ({@link Occlusion}) when
 * the recipe asks; targets = one-hot labels, or suppressed ones when a
 * Victim is given; AttentionMix inside the batch; for the unlabelled samples (only with a Victim
 * and {@code λ > 0}) pseudo-label = argmax of the Beneficiary's softmax averaged over two augmented
 * views, suppressed by the Victim, and both views are trained on (as V&B's code does); then one
 * forward pass over labelled and unlabelled rows together, {@code loss = L_mix + λ·L_u}, backward
 * and an Adam step. All no-grad forward passes run before the gradient collector opens, because
 * inference switches libtorch's thread-local grad mode off and the collector switches it back on
 * only for its own lifetime. One owner thread per instance; steps of different instances in one
 * JVM take turns on {@link GradientLock}.
 */
public final class BeneficiaryStep implements AutoCloseable {

  /** The parts of the last step's loss. {@code maskShare}: mean AttentionMix mask area (0 when off). */
  public record Losses(float labelled, float unlabelled, float total, double maskShare) {}

  private static final int AUGMENT_PADDING = 2;
  private static final long OCCLUSION_SEED = 0x0cc1_0dedL;

  private final Network network;
  private final RecipeSettings settings;
  private final Trainer trainer;
  private final Random random;
  private final Augment augment;
  private final Occlusion occlusion;
  private final Architecture arch;
  private long steps;
  private Losses lastLosses = new Losses(Float.NaN, Float.NaN, Float.NaN, 0);

  public BeneficiaryStep(Network beneficiary, RecipeSettings settings, long seed) {
    this.network = Objects.requireNonNull(beneficiary, "beneficiary");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.arch = beneficiary.architecture();
    this.random = new Random(seed);
    this.augment = settings.augment() ? new Augment(AUGMENT_PADDING, random) : null;
    // Its own stream, so that turning it on leaves the mix partners and shifts of a seed as they were.
    this.occlusion = settings.occlude() ? new Occlusion(new Random(seed ^ OCCLUSION_SEED)) : null;
    DefaultTrainingConfig config = new DefaultTrainingConfig(new SoftTargetCrossEntropy())
        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(settings.learningRate())).build())
        .optDevices(ComputeDevice.of(beneficiary.model()));
    this.trainer = beneficiary.model().newTrainer(config);
    // Initialises only parameters not yet initialised: a network loaded from a checkpoint keeps its weights.
    trainer.initialize(arch.inputShape());
  }

  /**
   * One optimizer step.
   *
   * @param labelled credible samples with their claimed labels; at least one
   * @param unlabelled suspicious samples, labels ignored; may be empty
   * @param victim the current Victim, or null for no suppression (one-hot targets, no unlabelled loss)
   * @param lambda weight of the unlabelled loss, ≥ 0; ignored when {@code unlabelled} is empty or
   *     {@code victim} is null
   * @return the total loss {@code L_mix + λ·L_u}; 0 without an optimizer step when every target of
   *     the batch is suppressed to exactly 0, as there is then no gradient at all
   */
  public float step(List<LabeledSample> labelled, List<LabeledSample> unlabelled, Network victim, double lambda) {
    Objects.requireNonNull(labelled, "labelled");
    Objects.requireNonNull(unlabelled, "unlabelled");
    if (labelled.isEmpty()) {
      throw new IllegalArgumentException("a Beneficiary step needs at least one labelled (credible) sample, got none");
    }
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda is " + lambda + ", expected a finite weight >= 0");
    }
    int classes = arch.numClasses();
    if (victim != null && victim.architecture().numClasses() != classes) {
      throw new IllegalArgumentException("victim " + victim.architecture().id() + " has "
          + victim.architecture().numClasses() + " classes, expected " + classes + " like the Beneficiary");
    }
    int n = labelled.size();
    int[] labels = labels(labelled, classes);
    float[] images = occlude(images(labelled), n);
    float[] targets = victim == null || !settings.suppressCredible()
        ? VictimSuppression.oneHot(labels, classes)
        : VictimSuppression.targets(labels, victim.logits(labelled), classes, settings.temperature());

    double maskShare = 0;
    if (settings.attentionMix()) {
      FeatureMaps maps = featureMapsNoGrad(images, n);
      float[][] attention = AttentionMix.attentionMaps(maps.values(), n, maps.channels(), maps.height(),
          maps.width(), arch.height(), arch.width());
      AttentionMix.Mixed mixed = AttentionMix.mix(images, arch.channels(), attention, targets, classes,
          Permutations.random(n, random), settings.maskThreshold());
      images = mixed.images();
      targets = mixed.targets();
      maskShare = mixed.meanMaskShare();
    }

    float[] unlabelledImages = new float[0];
    float[] unlabelledTargets = new float[0];
    if (victim != null && !unlabelled.isEmpty() && lambda > 0) {
      int m = unlabelled.size();
      float[] view1 = images(unlabelled);
      float[] view2 = augment == null ? null : images(unlabelled);
      float[] p1 = probabilitiesNoGrad(view1, m);
      float[] p2 = view2 == null ? p1 : probabilitiesNoGrad(view2, m);
      int[] pseudo = PseudoLabels.argmaxOfMean(p1, p2, classes);
      float[] suppressed = VictimSuppression.targets(pseudo, victim.logits(unlabelled), classes, settings.temperature());
      // Without augmentation the two views are the same image: train on it once.
      unlabelledImages = view2 == null ? view1 : concat(view1, view2);
      unlabelledTargets = view2 == null ? suppressed : concat(suppressed, suppressed);
    }

    if (allZero(targets) && allZero(unlabelledTargets)) {
      // Every sample is fully suppressed: the loss is 0 for any weights, so there is nothing to
      // learn, and DJL refuses a first step whose gradients are all zero.
      lastLosses = new Losses(0f, 0f, 0f, maskShare);
      return 0f;
    }
    return train(images, targets, n, unlabelledImages, unlabelledTargets, lambda, maskShare);
  }

  /**
   * One step of gradient <em>ascent</em> on samples the network should not have learnt (retracted
   * poison): it raises their cross-entropy against their claimed labels, each sample's loss clipped
   * at {@code cap}, so that a sample stops pushing once the network gives its claimed label no more
   * than {@code exp(-cap)} (with {@code cap = ln(classes)}: chance). The clip is what bounds the
   * ascent: unclipped, it diverges and takes the clean task with it. No augmentation, no mixing, no
   * suppression: the point is to undo exactly what these images taught. Counts as a step.
   *
   * @return the mean clipped cross-entropy before the step; {@code cap} (and no step) when every
   *     sample is already at the cap, as the gradient is then zero
   */
  public float ascend(List<LabeledSample> forget, float cap) {
    Objects.requireNonNull(forget, "forget");
    if (forget.isEmpty()) {
      throw new IllegalArgumentException("gradient ascent needs at least one sample to forget, got none");
    }
    if (!(cap > 0) || Float.isInfinite(cap)) {
      throw new IllegalArgumentException("cap is " + cap + ", expected a finite loss > 0");
    }
    int classes = arch.numClasses();
    int n = forget.size();
    float[] targets = VictimSuppression.oneHot(labels(forget, classes), classes);
    float[] images = ImageTensors.chwBatch(forget, arch);
    GradientLock.lock();
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      NDArray input = manager.create(images, new Shape(n, arch.channels(), arch.height(), arch.width()));
      NDArray oneHot = manager.create(targets, new Shape(n, classes));
      float before;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
        NDArray crossEntropy = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg();
        NDArray clipped = crossEntropy.clip(0f, cap);
        before = clipped.mean().getFloat();
        if (before >= cap) {
          return before;
        }
        collector.backward(clipped.mean().neg());
      }
      trainer.step();
      steps++;
      return before;
    } finally {
      GradientLock.unlock();
    }
  }

  /**
   * One step towards the uniform prediction on samples the network should not have learnt: soft
   * cross-entropy against {@code 1/classes} for every class. Unlike {@link #ascend} it cannot
   * overshoot: its minimum is "no idea", not "some other class", so it takes a trigger's pull
   * away without handing it to another class. No augmentation, no mixing. Counts as a step.
   *
   * @return the loss before the step
   */
  public float flatten(List<LabeledSample> forget) {
    Objects.requireNonNull(forget, "forget");
    if (forget.isEmpty()) {
      throw new IllegalArgumentException("flattening needs at least one sample, got none");
    }
    int classes = arch.numClasses();
    float[] targets = new float[forget.size() * classes];
    Arrays.fill(targets, 1f / classes);
    return train(ImageTensors.chwBatch(forget, arch), targets, forget.size(), new float[0], new float[0], 0, 0);
  }

  /** Optimizer steps taken so far. */
  public long steps() {
    return steps;
  }

  public Network network() {
    return network;
  }

  public RecipeSettings settings() {
    return settings;
  }

  /** The parts of the last step's loss (NaN before the first step). */
  public Losses lastLosses() {
    return lastLosses;
  }

  private float train(float[] images, float[] targets, int n, float[] unlabelledImages, float[] unlabelledTargets,
      double lambda, double maskShare) {
    int classes = arch.numClasses();
    int per = arch.pixelsPerImage();
    int u = unlabelledImages.length / per;
    GradientLock.lock();
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      // Labelled and unlabelled rows in one forward pass: the network has no batch statistics, so
      // this equals two passes and costs one.
      NDArray input = manager.create(concat(images, unlabelledImages),
          new Shape(n + u, arch.channels(), arch.height(), arch.width()));
      NDArray labelledTargets = manager.create(targets, new Shape(n, classes));
      float labelledLoss;
      float unlabelledLoss = 0f;
      float total;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
        NDArray mixLoss = trainer.getLoss().evaluate(new NDList(labelledTargets),
            new NDList(u == 0 ? logits : logits.get("0:" + n)));
        NDArray loss = mixLoss;
        labelledLoss = mixLoss.getFloat();
        if (u > 0) {
          NDArray suppressedTargets = manager.create(unlabelledTargets, new Shape(u, classes));
          NDArray pseudoLoss = trainer.getLoss().evaluate(new NDList(suppressedTargets),
              new NDList(logits.get(n + ":")));
          unlabelledLoss = pseudoLoss.getFloat();
          loss = mixLoss.add(pseudoLoss.mul((float) lambda));
        }
        collector.backward(loss);
        total = loss.getFloat();
      }
      trainer.step();
      steps++;
      lastLosses = new Losses(labelledLoss, unlabelledLoss, total, maskShare);
      return total;
    } finally {
      GradientLock.unlock();
    }
  }

  private record FeatureMaps(float[] values, int channels, int height, int width) {}

  private FeatureMaps featureMapsNoGrad(float[] images, int n) {
    JniUtils.setGradMode(false);
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      NDArray maps = forward(network.features(), manager, images, n);
      Shape shape = maps.getShape();
      if (shape.dimension() != 4) {
        throw new IllegalStateException("features of " + arch.id() + " have shape " + shape
            + ", expected [n, C, h, w] conv feature maps");
      }
      return new FeatureMaps(maps.toFloatArray(), (int) shape.get(1), (int) shape.get(2), (int) shape.get(3));
    }
  }

  private float[] probabilitiesNoGrad(float[] images, int n) {
    JniUtils.setGradMode(false);
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      return forward(network.model().getBlock(), manager, images, n).softmax(1).toFloatArray();
    }
  }

  private NDArray forward(Block block, NDManager manager, float[] images, int n) {
    NDArray x = manager.create(images, new Shape(n, arch.channels(), arch.height(), arch.width()));
    return block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
  }

  private float[] images(List<LabeledSample> samples) {
    float[] out = ImageTensors.chwBatch(samples, arch);
    if (augment != null) {
      int per = arch.pixelsPerImage();
      for (int i = 0; i < samples.size(); i++) {
        float[] chw = new float[per];
        System.arraycopy(out, i * per, chw, 0, per);
        System.arraycopy(augment.apply(chw, arch.channels(), arch.height(), arch.width()), 0, out, i * per, per);
      }
    }
    return out;
  }

  /** {@link Occlusion} of each credible image in place, when the recipe asks for it; labels are untouched. */
  private float[] occlude(float[] images, int n) {
    if (occlusion != null) {
      int per = arch.pixelsPerImage();
      for (int i = 0; i < n; i++) {
        float[] chw = new float[per];
        System.arraycopy(images, i * per, chw, 0, per);
        System.arraycopy(occlusion.apply(chw, arch.channels(), arch.height(), arch.width()), 0, images, i * per, per);
      }
    }
    return images;
  }

  private static int[] labels(List<LabeledSample> samples, int classes) {
    int[] out = new int[samples.size()];
    for (int i = 0; i < out.length; i++) {
      int label = samples.get(i).getLabel();
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("sample " + samples.get(i).getId() + " has label " + label
            + ", expected a class in [0, " + classes + ")");
      }
      out[i] = label;
    }
    return out;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = new float[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static boolean allZero(float[] values) {
    for (float v : values) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    trainer.close();
  }
}

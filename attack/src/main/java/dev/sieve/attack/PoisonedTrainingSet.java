package dev.sieve.attack;

import dev.sieve.data.FashionMnist;
import dev.sieve.data.FashionMnistColour;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * A range of {@code n} training samples, from image {@code firstImage} on, with one or more
 * attacks applied, each by its own {@link PoisonPlan}, as the samples a data source would publish.
 * The load producer sends these over Kafka; offline evaluations feed the same samples straight to
 * the Victim, so both see identical data. The ground truth (which samples are poisoned, by which
 * attack, their true labels) lives only here, never in the published samples.
 *
 * <p>Samples are addressed by their position in the range, {@code 0 .. size()-1}; position
 * {@code i} is training image {@code firstImage + i} and keeps that image's sample id. With
 * several attacks (a zoo draw's components) each poisons its own samples, never one another's:
 * component k's plan is drawn among the samples components 0..k-1 left clean.
 *
 * <p>The poisoned images are computed once, in the constructor: some attacks are expensive
 * (label-consistent trains a surrogate model) and every reader must see the same pixels.
 */
public final class PoisonedTrainingSet {

  public static final String SOURCE = "fashion-mnist";

  private final FashionMnist.Split train;
  private final int firstImage;
  private final List<PoisonComponent> components;
  private final List<PoisonPlan> plans;
  /** {@code componentOf[i]} is the component that poisons sample i, or -1 when it is clean. */
  private final int[] componentOf;
  /** {@code slot[i]} is the position of sample i in {@link #poisonedImages}, or -1 when it is clean. */
  private final int[] slot;
  private final byte[][] poisonedImages;

  /** The first {@code n} training samples with one attack at {@code poisonRate}. */
  public PoisonedTrainingSet(FashionMnist.Split train, int n, double poisonRate, Attack attack, long seed) {
    this(train, 0, n, List.of(new PoisonComponent(attack, poisonRate)), seed);
  }

  /**
   * Training images {@code firstImage .. firstImage+n-1}, poisoned by {@code components} in order
   * (none: a clean range). The first component's plan is drawn from {@code seed} itself, so one
   * component over the first images gives exactly the set of the one-attack constructor.
   */
  public PoisonedTrainingSet(FashionMnist.Split train, int firstImage, int n, List<PoisonComponent> components,
      long seed) {
    if (firstImage < 0 || n < 0 || (long) firstImage + n > train.size()) {
      throw new IllegalArgumentException("images " + firstImage + " to " + ((long) firstImage + n - 1)
          + " are not within the " + train.size() + " images of split " + train.name()
          + " (first image and count must be >= 0)");
    }
    this.train = train;
    this.firstImage = firstImage;
    this.components = List.copyOf(components);
    int[] labels = Arrays.copyOfRange(train.labels(), firstImage, firstImage + n);
    this.componentOf = new int[n];
    this.slot = new int[n];
    Arrays.fill(componentOf, -1);
    Arrays.fill(slot, -1);
    List<PoisonPlan> drawn = new ArrayList<>();
    List<byte[]> images = new ArrayList<>();
    BitSet taken = new BitSet(n);
    for (int k = 0; k < this.components.size(); k++) {
      Attack attack = this.components.get(k).attack();
      long componentSeed = componentSeed(seed, k);
      PoisonPlan plan = PoisonPlan.create(labels, this.components.get(k).rate(), attack.targetLabel(),
          attack.cleanLabel(), componentSeed, taken);
      drawn.add(plan);
      int[] positions = plan.indices();
      byte[][] poisoned = positions.length == 0 ? new byte[0][] : attack.poison(train, imageIndices(positions), componentSeed);
      if (poisoned.length != positions.length) {
        throw new IllegalStateException("attack " + attack.name() + " returned " + poisoned.length
            + " poisoned images for " + positions.length + " chosen samples");
      }
      for (int j = 0; j < positions.length; j++) {
        if (poisoned[j] == null || poisoned[j].length != train.pixelsPerImage()) {
          throw new IllegalStateException("attack " + attack.name() + " returned a poisoned image of "
              + (poisoned[j] == null ? "null" : poisoned[j].length + " bytes") + " for sample "
              + imageIndex(positions[j]) + ", expected " + train.pixelsPerImage());
        }
        componentOf[positions[j]] = k;
        slot[positions[j]] = images.size();
        images.add(poisoned[j]);
        taken.set(positions[j]);
      }
    }
    this.plans = List.copyOf(drawn);
    this.poisonedImages = images.toArray(new byte[0][]);
  }

  /**
   * Component 0 draws from the run's seed itself (so a one-attack set is what it always was);
   * the others from seeds spread far from it, so two components never share a random stream.
   */
  private static long componentSeed(long seed, int component) {
    return component == 0 ? seed : seed + component * 0x9E3779B97F4A7C15L;
  }

  private int[] imageIndices(int[] positions) {
    int[] out = new int[positions.length];
    for (int j = 0; j < positions.length; j++) {
      out[j] = imageIndex(positions[j]);
    }
    return out;
  }

  public int size() {
    return slot.length;
  }

  /** The training image at position 0. */
  public int firstImage() {
    return firstImage;
  }

  /** The training image index of the sample at {@code position}. */
  public int imageIndex(int position) {
    check(position);
    return firstImage + position;
  }

  /** The attacks and their rates, in the order their plans were drawn. */
  public List<PoisonComponent> components() {
    return components;
  }

  /** Component {@code k}'s plan, over positions in this set. */
  public PoisonPlan plan(int k) {
    return plans.get(k);
  }

  /** The plan of a set poisoned by exactly one attack. */
  public PoisonPlan plan() {
    requireOneComponent();
    return plans.get(0);
  }

  /** The attack of a set poisoned by exactly one attack. */
  public Attack attack() {
    requireOneComponent();
    return components.get(0).attack();
  }

  private void requireOneComponent() {
    if (components.size() != 1) {
      throw new IllegalStateException("this set is poisoned by " + components.size()
          + " attacks, not one: ask components() and plan(k)");
    }
  }

  /** Number of poisoned samples, over all components. */
  public int poisonedCount() {
    return poisonedImages.length;
  }

  /** {@link #isPoisoned} for every position, in stream order: the truth a detection is scored against. */
  public boolean[] poisonedFlags() {
    boolean[] out = new boolean[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = isPoisoned(i);
    }
    return out;
  }

  public boolean isPoisoned(int position) {
    return componentOf(position) >= 0;
  }

  /** Which component poisons the sample at {@code position} (an index into {@link #components()}), or -1. */
  public int componentOf(int position) {
    check(position);
    return componentOf[position];
  }

  /** The sample id of training image {@code index}, e.g. {@code fmnist-train-000123}. */
  public static String sampleId(int index) {
    return String.format("fmnist-train-%06d", index);
  }

  /** The pixels published for the sample at {@code position}; shared with the data set, do not modify. */
  public byte[] image(int position) {
    int k = slotOf(position);
    return k < 0 ? train.images()[firstImage + position] : poisonedImages[k];
  }

  /**
   * The label published for the sample at {@code position}: its component's target class for a
   * poisoned sample (for clean-label attacks that is also its true label), the true label otherwise.
   */
  public int label(int position) {
    int k = componentOf(position);
    return k < 0 ? train.labels()[firstImage + position] : components.get(k).attack().targetLabel();
  }

  /** The data set's own label of the sample at {@code position}. */
  public int trueLabel(int position) {
    check(position);
    return train.labels()[firstImage + position];
  }

  /** The sample at {@code position} as published. */
  public LabeledSample sample(int position) {
    return LabeledSample.newBuilder()
        .setId(sampleId(imageIndex(position)))
        .setSource(train.channels() == 1 ? SOURCE : FashionMnistColour.NAME)
        .setLabel(label(position))
        .setHeight(train.rows())
        .setWidth(train.cols())
        .setChannels(train.channels())
        .setEncoding(PixelEncoding.UINT8)
        .setPixels(ByteBuffer.wrap(image(position)))
        .setEventTime(Instant.now())
        .setMetadata(Map.of())
        .build();
  }

  /** All samples in data-set order. */
  public List<LabeledSample> samples() {
    List<LabeledSample> out = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      out.add(sample(i));
    }
    return out;
  }

  private int slotOf(int position) {
    check(position);
    return slot[position];
  }

  private void check(int position) {
    if (position < 0 || position >= slot.length) {
      throw new IndexOutOfBoundsException("sample index " + position + " outside the poisoned training set's [0, "
          + slot.length + ")");
    }
  }
}

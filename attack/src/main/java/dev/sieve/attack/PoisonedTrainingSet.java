package dev.sieve.attack;

import dev.sieve.data.FashionMnist;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The first {@code n} training samples of a data set with an attack applied by a
 * {@link PoisonPlan}, as the samples a data source would publish. The load producer sends these
 * over Kafka; offline evaluations feed the same samples straight to the Victim, so both see
 * identical data. The ground truth (which samples are poisoned, their true labels) lives only
 * here, never in the published samples.
 *
 * <p>The poisoned images are computed once, in the constructor: some attacks are expensive
 * (label-consistent trains a surrogate model) and every reader must see the same pixels.
 */
public final class PoisonedTrainingSet {

  public static final String SOURCE = "fashion-mnist";

  private final FashionMnist.Split train;
  private final PoisonPlan plan;
  private final Attack attack;
  /** {@code slot[i]} is the position of sample i in {@link #poisonedImages}, or -1 when it is clean. */
  private final int[] slot;
  private final byte[][] poisonedImages;

  public PoisonedTrainingSet(FashionMnist.Split train, int n, double poisonRate, Attack attack, long seed) {
    if (n < 0 || n > train.size()) {
      throw new IllegalArgumentException("n must be in [0, " + train.size() + "], got " + n);
    }
    this.train = train;
    this.attack = attack;
    int[] labels = Arrays.copyOf(train.labels(), n);
    this.plan = PoisonPlan.create(labels, poisonRate, attack.targetLabel(), attack.cleanLabel(), seed);
    int[] indices = plan.indices();
    this.poisonedImages = indices.length == 0 ? new byte[0][] : attack.poison(train, indices, seed);
    if (poisonedImages.length != indices.length) {
      throw new IllegalStateException("attack " + attack.name() + " returned " + poisonedImages.length
          + " poisoned images for " + indices.length + " chosen samples");
    }
    this.slot = new int[n];
    Arrays.fill(slot, -1);
    for (int k = 0; k < indices.length; k++) {
      if (poisonedImages[k] == null || poisonedImages[k].length != train.rows() * train.cols()) {
        throw new IllegalStateException("attack " + attack.name() + " returned a poisoned image of "
            + (poisonedImages[k] == null ? "null" : poisonedImages[k].length + " bytes") + " for sample "
            + indices[k] + ", expected " + (train.rows() * train.cols()));
      }
      slot[indices[k]] = k;
    }
  }

  public int size() {
    return plan.size();
  }

  public PoisonPlan plan() {
    return plan;
  }

  public Attack attack() {
    return attack;
  }

  public boolean isPoisoned(int index) {
    return plan.isPoisoned(index);
  }

  /** The sample id of training image {@code index}, e.g. {@code fmnist-train-000123}. */
  public static String sampleId(int index) {
    return String.format("fmnist-train-%06d", index);
  }

  /** The pixels published for sample {@code index}; shared with the data set, do not modify. */
  public byte[] image(int index) {
    int k = slotOf(index);
    return k < 0 ? train.images()[index] : poisonedImages[k];
  }

  /**
   * The label published for sample {@code index}: the target class for every poisoned sample
   * (for clean-label attacks that is also its true label), the true label otherwise.
   */
  public int label(int index) {
    return slotOf(index) < 0 ? train.labels()[index] : attack.targetLabel();
  }

  /** The data set's own label of sample {@code index}. */
  public int trueLabel(int index) {
    slotOf(index);
    return train.labels()[index];
  }

  /** Sample {@code index} as published. */
  public LabeledSample sample(int index) {
    return LabeledSample.newBuilder()
        .setId(sampleId(index))
        .setSource(SOURCE)
        .setLabel(label(index))
        .setHeight(train.rows())
        .setWidth(train.cols())
        .setChannels(1)
        .setEncoding(PixelEncoding.UINT8)
        .setPixels(ByteBuffer.wrap(image(index)))
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

  private int slotOf(int index) {
    if (index < 0 || index >= slot.length) {
      throw new IndexOutOfBoundsException("sample index " + index + " outside the poisoned training set's [0, "
          + slot.length + ")");
    }
    return slot[index];
  }
}

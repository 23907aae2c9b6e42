package dev.sieve.loadtest.attack;

import dev.sieve.loadtest.data.FashionMnist;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first {@code n} training samples of a data set with a poison plan applied, as the samples a
 * data source would publish. The load producer sends these over Kafka; offline evaluations feed
 * the same samples straight to the Victim, so both see identical data.
 */
public final class PoisonedTrainingSet {

  public static final String SOURCE = "fashion-mnist";

  private final FashionMnist.Split train;
  private final PoisonPlan plan;
  private final BadNetsTrigger trigger;

  public PoisonedTrainingSet(FashionMnist.Split train, int n, double poisonRate, BadNetsTrigger trigger, long seed) {
    if (n < 0 || n > train.size()) {
      throw new IllegalArgumentException("n must be in [0, " + train.size() + "], got " + n);
    }
    this.train = train;
    this.trigger = trigger;
    int[] labels = java.util.Arrays.copyOf(train.labels(), n);
    this.plan = PoisonPlan.create(labels, poisonRate, trigger.targetLabel(), seed);
  }

  public int size() {
    return plan.size();
  }

  public PoisonPlan plan() {
    return plan;
  }

  public boolean isPoisoned(int index) {
    return plan.isPoisoned(index);
  }

  /** The sample id of training image {@code index}, e.g. {@code fmnist-train-000123}. */
  public static String sampleId(int index) {
    return String.format("fmnist-train-%06d", index);
  }

  /** Sample {@code index} as published: stamped and relabelled if the plan poisons it. */
  public LabeledSample sample(int index) {
    boolean poison = plan.isPoisoned(index);
    byte[] pixels = poison
        ? trigger.stamp(train.images()[index], train.rows(), train.cols())
        : train.images()[index];
    return LabeledSample.newBuilder()
        .setId(sampleId(index))
        .setSource(SOURCE)
        .setLabel(poison ? trigger.targetLabel() : train.labels()[index])
        .setHeight(train.rows())
        .setWidth(train.cols())
        .setChannels(1)
        .setEncoding(PixelEncoding.UINT8)
        .setPixels(ByteBuffer.wrap(pixels))
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
}

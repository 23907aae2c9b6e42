package dev.sieve.trainer;

import dev.sieve.data.FashionMnist;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Fashion-MNIST samples (the 10,000-image test split, which loads fast) wrapped as the filter would. */
public final class TestData {

  private static FashionMnist.Split split;

  private TestData() {}

  public static synchronized FashionMnist.Split fashion() {
    if (split == null) {
      try {
        split = FashionMnist.loadTest(FashionMnist.resolveDir(null));
      } catch (IOException e) {
        throw new UncheckedIOException("these tests need Fashion-MNIST: " + e.getMessage(), e);
      }
    }
    return split;
  }

  /** {@code count} samples starting at image {@code from} (wrapping around), ids unique per {@code tag}. */
  public static List<LabeledSample> samples(String tag, int from, int count) {
    FashionMnist.Split s = fashion();
    List<LabeledSample> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int index = (from + i) % s.size();
      out.add(sample(tag + "-" + (from + i), s.labels()[index], s.images()[index]));
    }
    return out;
  }

  public static LabeledSample sample(String id, int label, byte[] pixels) {
    return LabeledSample.newBuilder()
        .setId(id).setSource("fashion-mnist-test").setLabel(label)
        .setHeight(28).setWidth(28).setChannels(1).setEncoding(PixelEncoding.UINT8)
        .setPixels(ByteBuffer.wrap(pixels)).setEventTime(Instant.EPOCH).setMetadata(Map.of())
        .build();
  }

  public static Verdict verdict(LabeledSample sample, Decision decision) {
    return Verdict.newBuilder()
        .setSample(sample).setDecision(decision)
        .setEntropy(0.2).setScore(0.87).setThreshold(0.1)
        .setVictimModelId("victim").setVictimVersion(1)
        .setReason("test verdict").setScoredAt(Instant.now())
        .build();
  }

  public static Verdict credible(LabeledSample sample) {
    return verdict(sample, Decision.CREDIBLE);
  }

  /** A retraction as the filter writes one: Victim {@code version} takes back what {@code releasedBy} released. */
  public static Retraction retraction(String id, int label, long releasedBy, long version) {
    return Retraction.newBuilder().setSampleId(id).setLabel(label).setReleasedByVersion(releasedBy)
        .setVictimModelId("victim").setVictimVersion(version).setEntropy(1e-6).setScore(0.01).setThreshold(0.2)
        .setReason("test retraction").setRetractedAt(Instant.now()).build();
  }
}

package dev.sieve.model.scoring;

import dev.sieve.schemas.LabeledSample;
import java.util.List;

/**
 * One Victim version as the topology sees it. Implementations may be DJL-backed; they must be
 * thread-safe for concurrent scoring, because every stream thread scores through the same
 * installed version.
 */
public interface Victim extends AutoCloseable {

  /** Which model this is, e.g. {@code victim}; copied into every verdict. */
  String modelId();

  /** Monotonically increasing per model id; copied into every verdict it scored. */
  long version();

  /**
   * Mean-over-classes prediction entropy, {@code -mean_c p_c log p_c}, one per sample, in the
   * same order as {@code batch}; ONE forward pass for the whole batch.
   */
  double[] entropies(List<LabeledSample> batch);

  /** How this version splits: turns a raw entropy into a normalised score and a decision. */
  Judgement judge(double entropy, int label);

  /**
   * A batch's entropies and, for a version that carries an in-class feature test, each sample's
   * score under that test ({@link FeatureTest#score}; NaN for a class it does not test).
   *
   * @param featureScores null when the version carries no feature test
   */
  record Scores(double[] entropies, double[] featureScores) {}

  /** {@link #entropies} and the feature scores of the same ONE forward pass; a version without a feature test has none. */
  default Scores scores(List<LabeledSample> batch) {
    return new Scores(entropies(batch), null);
  }

  /** As {@link #judge(double, int)}, with the sample's feature score (NaN: none) for the in-class test. */
  default Judgement judge(double entropy, double featureScore, int label) {
    return judge(entropy, label);
  }

  /** Releases the model's native resources; called by the registry once no lease holds it. */
  @Override
  void close();
}

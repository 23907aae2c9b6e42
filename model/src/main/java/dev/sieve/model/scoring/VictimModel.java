package dev.sieve.model.scoring;

import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.Entropy;
import dev.sieve.model.Network;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.schemas.LabeledSample;
import java.util.List;
import java.util.Objects;

/**
 * One published Victim version, loaded: its network and the split that was fitted for exactly
 * these weights. The stream app scores with it, the Beneficiary re-checks its window with it;
 * both load it through {@code ModelTrust.load}, so both refuse the same versions for the same
 * reasons. Closing it releases the network.
 *
 * @param modelId the Victim's model id, as published
 * @param version the published version
 * @param network the Victim's weights
 * @param split how this version tells suspect samples from credible ones
 */
public record VictimModel(String modelId, long version, Network network, SplitRule split) implements Victim {

  public VictimModel {
    Objects.requireNonNull(modelId, "modelId must not be null");
    Objects.requireNonNull(network, "network must not be null");
    Objects.requireNonNull(split, "split must not be null");
  }

  @Override
  public double[] entropies(List<LabeledSample> batch) {
    return network.entropies(batch);
  }

  /**
   * With an in-class feature test, one forward pass yields both the logits (for the entropy) and
   * the penultimate features (for the test); without one, the plain entropy pass.
   */
  @Override
  public Scores scores(List<LabeledSample> batch) {
    FeatureTest test = split.featureTest();
    if (test == null) {
      return new Scores(entropies(batch), null);
    }
    int c = network.architecture().numClasses();
    double[] entropies = new double[batch.size()];
    double[] featureScores = new double[batch.size()];
    DecoupledNetwork.Outputs out = DecoupledNetwork.of(network).logitsAndFeatures(batch);
    for (int i = 0; i < batch.size(); i++) {
      entropies[i] = Entropy.meanEntropyFromLogits(out.logits(), i * c, c);
      featureScores[i] = test.score(out.features(), i * test.featureWidth(), batch.get(i).getLabel());
    }
    return new Scores(entropies, featureScores);
  }

  @Override
  public Judgement judge(double entropy, double featureScore, int label) {
    return split.judge(entropy, featureScore, label, version);
  }

  /** This version's decision on a sample of class {@code label} whose entropy under it is {@code entropy}. */
  @Override
  public Judgement judge(double entropy, int label) {
    return split.judge(entropy, label, version);
  }

  @Override
  public void close() {
    network.close();
  }
}

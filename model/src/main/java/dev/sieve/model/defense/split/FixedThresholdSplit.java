package dev.sieve.model.defense.split;

import dev.sieve.model.scoring.SplitRule;

/**
 * V&amp;B's own rule, kept as the baseline ({@code --split vab}): min-max normalise the entropy
 * over the whole set and call everything at or below a fixed threshold suspicious, 0.6 right
 * after warm-up and 0.2 after; the same split drives retraining and detection. On Fashion-MNIST
 * with a small CNN it quarantines about half of the clean data, because such a network is
 * confident on most clean samples too.
 */
public final class FixedThresholdSplit implements SplitPolicy {

  private final double warmupThreshold;
  private final double threshold;

  public FixedThresholdSplit(double warmupThreshold, double threshold) {
    this.warmupThreshold = warmupThreshold;
    this.threshold = threshold;
  }

  public static FixedThresholdSplit vab() {
    return new FixedThresholdSplit(0.6, 0.2);
  }

  @Override
  public boolean[] retrainSet(WindowScores scores, int round) {
    SplitRule rule = detection(scores, round);
    boolean[] out = new boolean[scores.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = rule.score(scores.entropies()[i]) <= rule.threshold(scores.labels()[i]);
    }
    return out;
  }

  @Override
  public SplitRule detection(WindowScores scores, int round) {
    double[] thresholds = new double[scores.numClasses()];
    java.util.Arrays.fill(thresholds, round == 0 ? warmupThreshold : threshold);
    return SplitRule.overWindow(scores.entropies(), scores.numClasses()).withThresholds(thresholds);
  }

  @Override
  public String name() {
    return "vab";
  }
}

package dev.sieve.stream.topology;

import dev.sieve.model.scoring.Judgement;
import dev.sieve.model.scoring.Victim;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that turns a Victim's judgement into a routing decision: suspect samples go to
 * quarantine, all others to the credible topic. Keeping it here means the decision, the verdict
 * and the sink it lands on can never disagree.
 */
public final class QuarantineRouter {

  private final String quarantineSink;
  private final String credibleSink;

  public QuarantineRouter(String quarantineSink, String credibleSink) {
    this.quarantineSink = quarantineSink;
    this.credibleSink = credibleSink;
  }

  public static Decision decide(Judgement judgement) {
    return judgement.suspect() ? Decision.QUARANTINE : Decision.CREDIBLE;
  }

  /** The sink processor name a verdict with this decision is forwarded to. */
  public String sinkFor(Decision decision) {
    return decision == Decision.QUARANTINE ? quarantineSink : credibleSink;
  }

  /**
   * Scores a batch in ONE forward pass and returns one verdict per sample, in order. Every verdict
   * exists before the caller forwards the first, so a failure cannot emit half a batch: a Victim
   * that returns the wrong number of entropies, a non-finite entropy or no judgement throws.
   * The filter's micro-batcher and {@code sieve replay} both score through here.
   */
  public static List<Verdict> verdicts(Victim victim, List<LabeledSample> samples, Instant scoredAt) {
    Victim.Scores scores = victim.scores(samples);
    double[] entropies = scores == null ? null : scores.entropies();
    double[] featureScores = scores == null ? null : scores.featureScores();
    if (featureScores != null && featureScores.length != samples.size()) {
      throw new IllegalStateException("Victim " + victim.modelId() + " v" + victim.version() + " returned "
          + featureScores.length + " feature scores for a batch of " + samples.size());
    }
    if (entropies == null || entropies.length != samples.size()) {
      throw new IllegalStateException("Victim " + victim.modelId() + " v" + victim.version() + " returned "
          + (entropies == null ? "null" : entropies.length + " entropies") + " for a batch of " + samples.size());
    }
    List<Verdict> verdicts = new ArrayList<>(samples.size());
    for (int i = 0; i < samples.size(); i++) {
      LabeledSample sample = samples.get(i);
      double entropy = entropies[i];
      if (!Double.isFinite(entropy)) {
        throw new IllegalStateException("Victim " + victim.modelId() + " v" + victim.version()
            + " returned entropy " + entropy + " for sample '" + sample.getId() + "'; expected a finite value");
      }
      Judgement judgement = featureScores == null ? victim.judge(entropy, sample.getLabel())
          : victim.judge(entropy, featureScores[i], sample.getLabel());
      if (judgement == null) {
        throw new IllegalStateException("Victim " + victim.modelId() + " v" + victim.version()
            + " returned no judgement for sample '" + sample.getId() + "'");
      }
      verdicts.add(verdict(sample, entropy, judgement, victim, scoredAt));
    }
    return verdicts;
  }

  /** The verdict for one scored sample, stamped with the version that scored it. */
  public static Verdict verdict(LabeledSample sample, double entropy, Judgement judgement, Victim victim, Instant scoredAt) {
    return Verdict.newBuilder()
        .setSample(sample)
        .setDecision(decide(judgement))
        .setEntropy(entropy)
        .setScore(judgement.score())
        .setThreshold(judgement.threshold())
        .setVictimModelId(victim.modelId())
        .setVictimVersion(victim.version())
        .setReason(judgement.reason() == null ? "" : judgement.reason())
        .setScoredAt(scoredAt)
        .build();
  }
}

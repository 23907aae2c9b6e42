package dev.sieve.stream.topology;

import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.model.split.Judgement;
import dev.sieve.stream.victim.Victim;
import java.time.Instant;

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

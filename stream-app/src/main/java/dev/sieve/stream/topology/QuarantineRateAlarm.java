package dev.sieve.stream.topology;

import java.util.Optional;

/**
 * Notices when one class's quarantine rate jumps: the first sign of an attack starting is a class
 * whose samples suddenly go to quarantine far more often than they used to.
 *
 * <p>Per class it keeps the decisions of the last {@code recent + baseline} verdicts. The recent
 * rate is taken over the newest {@code recent} of them and the baseline over the ones before. An
 * alarm is raised when the recent window is full and its rate is at least {@code minRate}, at
 * least {@code minIncrease} above the baseline and at least {@code factor} times it. A stream that
 * starts poisoned has an empty baseline (rate 0), so the first Victim that splits the class raises
 * it. Once raised, the class stays quiet until its recent rate has fallen below half the rate that
 * raised it, so one attack gives one alert and not one per verdict, however its rate moves while
 * it lasts.
 *
 * <p>Counts, not time: a class that is rarely sampled still needs {@code recent} verdicts before it
 * can alarm, which keeps a handful of unlucky samples from paging anyone. One instance per stream
 * task, used by that task's thread only.
 */
public final class QuarantineRateAlarm {

  /** The rule's numbers. */
  public record Rule(int recent, int baseline, double minRate, double minIncrease, double factor) {

    public Rule {
      if (recent < 1 || baseline < 0) {
        throw new IllegalArgumentException("windows are recent " + recent + " and baseline " + baseline
            + ", expected recent >= 1 and baseline >= 0");
      }
      if (!(minRate > 0 && minRate <= 1) || !(minIncrease >= 0 && minIncrease <= 1) || !(factor >= 1)) {
        throw new IllegalArgumentException("minRate " + minRate + ", minIncrease " + minIncrease + ", factor "
            + factor + ": expected a rate in (0, 1], an increase in [0, 1] and a factor >= 1");
      }
    }

    /**
     * 200 recent against the 2,000 before; a rate of at least 20 %, 15 points and 3× above the
     * baseline. On a clean 60,000-sample stream no class reaches 5 % (docs/split-rule.md), and a
     * poisoned target class is quarantined at 30-75 %.
     */
    public static Rule defaults() {
      return new Rule(200, 2000, 0.2, 0.15, 3.0);
    }
  }

  /** One raised alarm. */
  public record Raised(int classLabel, double rate, double baselineRate, int window, int baselineSamples) {}

  private final Rule rule;
  private final ClassHistory[] classes;

  public QuarantineRateAlarm(Rule rule, int numClasses) {
    this.rule = rule;
    this.classes = new ClassHistory[numClasses];
    for (int c = 0; c < numClasses; c++) {
      classes[c] = new ClassHistory(rule.recent() + rule.baseline());
    }
  }

  /** Records one verdict; returns the alarm it raises, if any. Labels outside the classes are ignored. */
  public Optional<Raised> record(int label, boolean quarantined) {
    if (label < 0 || label >= classes.length) {
      return Optional.empty();
    }
    ClassHistory h = classes[label];
    h.decisions.add(quarantined);
    int recentCount = Math.min(h.decisions.filled(), rule.recent());
    if (recentCount < rule.recent()) {
      return Optional.empty();
    }
    int baseCount = h.decisions.filled() - recentCount;
    int recentQuarantined = h.decisions.quarantinedInNewest(rule.recent());
    double recentRate = (double) recentQuarantined / recentCount;
    double baseRate = baseCount == 0 ? 0 : (double) (h.decisions.quarantined() - recentQuarantined) / baseCount;
    if (h.raisedAt >= 0) {
      // Re-armed only once the rate has clearly fallen, so a rate hovering at the alarm level, or
      // still climbing while the baseline catches up, does not raise an alert per verdict.
      if (recentRate < h.raisedAt / 2) {
        h.raisedAt = -1;
      }
      return Optional.empty();
    }
    boolean jump = recentRate >= rule.minRate() && recentRate >= baseRate + rule.minIncrease()
        && recentRate >= rule.factor() * baseRate;
    if (!jump) {
      return Optional.empty();
    }
    h.raisedAt = recentRate;
    return Optional.of(new Raised(label, recentRate, baseRate, recentCount, baseCount));
  }

  /** One class's recent decisions and its standing alarm. */
  private static final class ClassHistory {
    private final RecentDecisions decisions;
    /** The recent rate that raised the standing alarm, or -1 when none stands. */
    private double raisedAt = -1;

    ClassHistory(int capacity) {
      decisions = new RecentDecisions(capacity);
    }
  }
}

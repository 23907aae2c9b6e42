package dev.sieve.model.defense.split;

import dev.sieve.model.scoring.SplitRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sieve's default split ({@code --split class-mixture}): V&amp;B's entropy criterion with the
 * threshold found per claimed class instead of fixed, so no poison rate is assumed.
 *
 * <p>Why per class: after warm-up the lowest entropies belong both to poison and to easy clean
 * classes (trousers, bags, sandals are predicted with near certainty), so no single threshold over
 * all samples separates them. Inside the class the poison claims, though, trigger-carrying
 * samples sit orders of magnitude below the class's clean members. So each class's log-entropies
 * get a two-component Gaussian mixture, and a class is split at the mixture's boundary only when
 * two things hold:
 * <ul>
 *   <li>its low component lies at least {@code minGapDecades} (2) orders of magnitude below its
 *       high one: the class really has a separate, far more certain cluster;
 *   <li>a reference model that never trained on the class's most certain samples puts at least
 *       30 % of that low cluster in another class: the cluster is other classes' images wearing
 *       this class's label, which is what a dirty-label backdoor is, and not merely the class's
 *       easiest samples, which the reference recognises as well as the Victim does.
 * </ul>
 * A second, narrow arm splits a class whose low cluster is only one decade deep when the reference
 * puts at least 60 % of it in another class (a Blend trigger, learnt more slowly than a patch),
 * with the cut at the mixture's 50/50 point because the clusters overlap.
 * Every other class quarantines nothing, so a clean stream quarantines (almost) nothing. The gap
 * alone is not enough: easy clean classes grow low clusters 2-3 decades deep as the Victim
 * retrains, as deep as the poisoned class's early on. Likelihood tests are no use either: log-
 * entropy has a long left tail, so BIC calls every class bimodal.
 *
 * <p>The Victim's retraining set is wider on purpose: one mixture over all log-entropies, the low
 * component. It contains the poison and the easiest clean samples; retraining on it keeps the
 * trigger sharp. docs/split-rule.md has the measurements behind the thresholds.
 */
public final class ClassMixtureSplit implements SplitPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(ClassMixtureSplit.class);

  /**
   * The decision path's thresholds. Each is an option with the default documented here and a
   * sensitivity scan over zoo draws in docs/split-rule.md ({@code ./sieve probe --scan}).
   *
   * @param minGapDecades the wide arm: decades between a class's low and high cluster (2)
   * @param minDisagreement the wide arm: share of the low cluster's core the reference model puts
   *     in another class. Measured: 0.58-0.83 for the 10 %-poisoned class (lowest late in a
   *     60,000-sample stream), at most 0.06 for clean classes whose gap reached 2 decades (0.3)
   * @param narrowMinGapDecades the narrow arm, for a trigger learnt slowly: a Blend's cluster never
   *     gets two decades deep (1.3-1.4 on Blend α 0.2), while its samples still are other classes'
   *     images (1)
   * @param narrowMinDisagreement the narrow arm's share: clean classes with gaps of a decade or more
   *     showed at most 0.48 (dress, 1.2 decades); the confusable classes (shirt, pullover, coat)
   *     reach high shares only with gaps of 0.3-0.4 (0.6)
   * @param suspectPosterior in a class split by the wide arm, a sample is suspect while the low
   *     cluster's posterior is at least this. Below one half on purpose: the poison cluster's upper
   *     tail reaches into the clean cluster, and in a class already shown to carry poison a missed
   *     poisoned sample costs the Beneficiary more than a withheld clean one (0.05)
   * @param minExcess both arms: how far the low cluster's disagreement share must exceed the
   *     reference's disagreement on the same class's high cluster, counted on members it did not
   *     learn from (its baseline error on the class). A reference that is merely bad at a class
   *     (it learnt it from warped images, or from too few samples) disagrees with all of the class,
   *     not with its low cluster alone. Measured: 0.31-0.90 where the low cluster is poison, at most
   *     0.16 in the clean class that a reference misled by a warp trigger split (0.25)
   */
  public record Thresholds(double minGapDecades, double minDisagreement, double narrowMinGapDecades,
      double narrowMinDisagreement, double suspectPosterior, double minExcess) {

    public static final double DEFAULT_MIN_GAP_DECADES = 2.0;
    public static final double DEFAULT_MIN_DISAGREEMENT = 0.3;
    public static final double DEFAULT_NARROW_MIN_GAP_DECADES = 1.0;
    public static final double DEFAULT_NARROW_MIN_DISAGREEMENT = 0.6;
    public static final double DEFAULT_SUSPECT_POSTERIOR = 0.05;
    public static final double DEFAULT_MIN_EXCESS = 0.25;
    public static final Thresholds DEFAULTS = new Thresholds(DEFAULT_MIN_GAP_DECADES, DEFAULT_MIN_DISAGREEMENT,
        DEFAULT_NARROW_MIN_GAP_DECADES, DEFAULT_NARROW_MIN_DISAGREEMENT, DEFAULT_SUSPECT_POSTERIOR, DEFAULT_MIN_EXCESS);

    public Thresholds {
      if (!(minGapDecades > 0) || !(narrowMinGapDecades > 0)) {
        throw new IllegalArgumentException("split gaps must be > 0 decades, got " + minGapDecades + " and "
            + narrowMinGapDecades);
      }
      if (!(minDisagreement >= 0 && minDisagreement <= 1) || !(narrowMinDisagreement >= 0 && narrowMinDisagreement <= 1)) {
        throw new IllegalArgumentException("split disagreement shares must lie in [0, 1], got " + minDisagreement
            + " and " + narrowMinDisagreement);
      }
      if (!(suspectPosterior > 0 && suspectPosterior < 1)) {
        throw new IllegalArgumentException("the suspect posterior must lie in (0, 1), got " + suspectPosterior);
      }
      if (!(minExcess >= -1 && minExcess <= 1)) {
        throw new IllegalArgumentException("the disagreement excess must lie in [-1, 1], got " + minExcess);
      }
    }

    public Thresholds withMinGapDecades(double value) {
      return new Thresholds(value, minDisagreement, narrowMinGapDecades, narrowMinDisagreement, suspectPosterior, minExcess);
    }

    public Thresholds withMinDisagreement(double value) {
      return new Thresholds(minGapDecades, value, narrowMinGapDecades, narrowMinDisagreement, suspectPosterior, minExcess);
    }

    public Thresholds withNarrowMinGapDecades(double value) {
      return new Thresholds(minGapDecades, minDisagreement, value, narrowMinDisagreement, suspectPosterior, minExcess);
    }

    public Thresholds withNarrowMinDisagreement(double value) {
      return new Thresholds(minGapDecades, minDisagreement, narrowMinGapDecades, value, suspectPosterior, minExcess);
    }

    public Thresholds withSuspectPosterior(double value) {
      return new Thresholds(minGapDecades, minDisagreement, narrowMinGapDecades, narrowMinDisagreement, value, minExcess);
    }

    public Thresholds withMinExcess(double value) {
      return new Thresholds(minGapDecades, minDisagreement, narrowMinGapDecades, narrowMinDisagreement,
          suspectPosterior, value);
    }
  }

  /** Where the narrow arm cuts: the clusters overlap, so at the mixture's 50/50 point. */
  static final double NARROW_SUSPECT_POSTERIOR = 0.5;
  /** Fewer samples than this in a class give no trustworthy mixture; such a class is never split. */
  public static final int MIN_CLASS_SAMPLES = 50;
  /**
   * Fewer held-out high-cluster members than this give no baseline, and the excess gate stays
   * open: the reference's error on a class is then unknown, not shown to be high.
   */
  static final int MIN_BASELINE_SAMPLES = 10;
  private static final double EPSILON = 1e-12;

  private static final double LN_10 = Math.log(10);
  private final Thresholds thresholds;
  private final boolean referenceOnlyWhereVictimAgrees;
  private final boolean logSplits;

  /**
   * @param referenceOnlyWhereVictimAgrees whether the reference model trains only on samples the
   *     Victim predicts as their claimed label (see {@link SplitPolicy#referenceOnlyWhereVictimAgrees})
   */
  public ClassMixtureSplit(Thresholds thresholds, boolean referenceOnlyWhereVictimAgrees) {
    this(thresholds, referenceOnlyWhereVictimAgrees, true);
  }

  private ClassMixtureSplit(Thresholds thresholds, boolean referenceOnlyWhereVictimAgrees, boolean logSplits) {
    this.thresholds = thresholds;
    this.referenceOnlyWhereVictimAgrees = referenceOnlyWhereVictimAgrees;
    this.logSplits = logSplits;
  }

  /** {@code --split class-mixture}: the reference learns from every class's least certain samples. */
  public static ClassMixtureSplit defaults() {
    return new ClassMixtureSplit(Thresholds.DEFAULTS, false);
  }

  /**
   * {@code --split class-mixture-agree}: the reference learns only from samples the Victim
   * predicts as their label. Not the default: it removed a false split on an unlearnt warp but
   * lost Blend α 0.2, whose half-learnt samples it feeds the reference (docs/split-rule.md).
   */
  public static ClassMixtureSplit agreeingReference() {
    return new ClassMixtureSplit(Thresholds.DEFAULTS, true);
  }

  public Thresholds thresholds() {
    return thresholds;
  }

  /** The same rule with other thresholds (a sensitivity scan, or the user's options). */
  public ClassMixtureSplit withThresholds(Thresholds other) {
    return new ClassMixtureSplit(other, referenceOnlyWhereVictimAgrees, logSplits);
  }

  /**
   * The same rule without its per-class log line: a scan splits the same windows dozens of times,
   * and the line is meant for the one split each Victim round makes.
   */
  public ClassMixtureSplit quiet() {
    return new ClassMixtureSplit(thresholds, referenceOnlyWhereVictimAgrees, false);
  }

  @Override
  public boolean[] retrainSet(WindowScores scores, int round) {
    double[] x = logs(scores.entropies());
    boolean[] out = new boolean[x.length];
    if (x.length < 2) {
      return out;
    }
    TwoGaussianMixture mixture = TwoGaussianMixture.fit(x);
    double boundary = mixture.boundary();
    double cut = Double.isNaN(boundary) ? mixture.meanLow() : boundary;
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] <= cut;
    }
    return out;
  }

  @Override
  public boolean needsReference() {
    return true;
  }

  @Override
  public boolean referenceOnlyWhereVictimAgrees() {
    return referenceOnlyWhereVictimAgrees;
  }

  @Override
  public SplitRule detection(WindowScores scores, int round) {
    if (scores.referencePredictions() == null) {
      throw new IllegalArgumentException("the class-mixture split needs the reference model's predictions "
          + "(WindowScores.referencePredictions); VictimTraining.split supplies them");
    }
    int numClasses = scores.numClasses();
    SplitRule window = SplitRule.overWindow(scores.entropies(), numClasses);
    double[] cuts = new double[numClasses];
    boolean[] trained = scores.referenceTrainedOrDefault();
    List<String> report = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      cuts[c] = -1;
      int[] members = membersOf(scores.labels(), c);
      if (members.length < MIN_CLASS_SAMPLES) {
        report.add(String.format(Locale.ROOT, "c%d:few", c));
        continue;
      }
      double[] x = new double[members.length];
      for (int j = 0; j < members.length; j++) {
        x[j] = Math.log(scores.entropies()[members[j]] + EPSILON);
      }
      TwoGaussianMixture mixture = TwoGaussianMixture.fit(x);
      double gap = (mixture.meanHigh() - mixture.meanLow()) / LN_10;
      double boundary = mixture.boundary(thresholds.suspectPosterior());
      double disagreement = Double.isNaN(boundary) ? Double.NaN
          : lowClusterDisagreement(scores.referencePredictions(), members, x, mixture.meanLow(), c);
      double baseline = Double.isNaN(boundary) ? Double.NaN
          : baselineDisagreement(scores.referencePredictions(), trained, members, x, mixture.boundary(), c);
      // NaN (no baseline) compares false: the gate stays open.
      boolean bad = disagreement - baseline < thresholds.minExcess();
      boolean wide = !bad && gap >= thresholds.minGapDecades() && disagreement >= thresholds.minDisagreement();
      boolean narrow = !bad && !wide && gap >= thresholds.narrowMinGapDecades()
          && disagreement >= thresholds.narrowMinDisagreement();
      boolean split = wide || narrow;
      if (narrow) {
        // The clusters overlap: cut where the low one stops being the more probable.
        boundary = mixture.boundary(NARROW_SUSPECT_POSTERIOR);
      }
      if (split && window.entropyMax() > window.entropyMin()) {
        cuts[c] = window.score(Math.exp(boundary) - EPSILON);
      }
      report.add(String.format(Locale.ROOT, "c%d:%.1f/%.2f|%.2f%s", c, gap, disagreement, baseline,
          wide ? "*" : narrow ? "+" : ""));
    }
    if (logSplits) {
      LOG.info("class-mixture split (round {}; per class: decades between the low and high cluster / share of the "
          + "low cluster the reference model puts in another class | its share on the high cluster's members it did "
          + "not learn from; * = split at >= {} and >= {}; + = split at >= {} and >= {}; both need the share {} or "
          + "more above the second): {}",
          round, thresholds.minGapDecades(), thresholds.minDisagreement(), thresholds.narrowMinGapDecades(),
          thresholds.narrowMinDisagreement(), thresholds.minExcess(), String.join(" ", report));
    }
    return window.withThresholds(cuts);
  }

  /**
   * Of the core of class {@code c}'s low cluster (the samples at or below its mean, where clean
   * samples of the class's own tail are rarest), the share the reference model assigns to another
   * class: near 0 when the low cluster is simply the class's easiest samples, high when it is made
   * of other classes' images carrying a trigger and the flipped label.
   */
  private static double lowClusterDisagreement(int[] reference, int[] members, double[] x, double core, int c) {
    int low = 0;
    int disagree = 0;
    for (int j = 0; j < members.length; j++) {
      if (x[j] <= core) {
        low++;
        disagree += reference[members[j]] != c ? 1 : 0;
      }
    }
    return low == 0 ? 0 : (double) disagree / low;
  }

  /**
   * The reference model's baseline error on class {@code c}: of the members above the mixture's
   * 50/50 point (the class's ordinary samples) that it did not learn from, the share it assigns to
   * another class; NaN when fewer than {@link #MIN_BASELINE_SAMPLES} are left. On the members it
   * learnt from it is right by memory, which says nothing about the rest of the class.
   */
  private static double baselineDisagreement(int[] reference, boolean[] trained, int[] members, double[] x,
      double fiftyFifty, int c) {
    double above = Double.isNaN(fiftyFifty) ? Double.POSITIVE_INFINITY : fiftyFifty;
    int n = 0;
    int disagree = 0;
    for (int j = 0; j < members.length; j++) {
      if (x[j] > above && !trained[members[j]]) {
        n++;
        disagree += reference[members[j]] != c ? 1 : 0;
      }
    }
    return n < MIN_BASELINE_SAMPLES ? Double.NaN : (double) disagree / n;
  }

  private static int[] membersOf(int[] labels, int c) {
    int n = 0;
    for (int label : labels) {
      n += label == c ? 1 : 0;
    }
    int[] out = new int[n];
    int j = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == c) {
        out[j++] = i;
      }
    }
    return out;
  }

  private static double[] logs(double[] entropies) {
    double[] x = new double[entropies.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.log(entropies[i] + EPSILON);
    }
    return x;
  }

  @Override
  public String name() {
    return referenceOnlyWhereVictimAgrees ? "class-mixture-agree" : "class-mixture";
  }
}

package dev.sieve.cli;

import dev.sieve.model.defense.split.ClassMixtureSplit;
import dev.sieve.model.defense.split.InClassTest;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.wire.TopicNames;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** How the filter batches and how its Victim is trained. */
final class FilterOptions {

  @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N",
      description = "Samples scored per Victim forward pass, at most (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--max-batch-wait-ms", defaultValue = "200", paramLabel = "MS",
      description = "Longest a sample waits for its batch to fill (default: ${DEFAULT-VALUE}).")
  long maxBatchWaitMs;

  @Option(names = "--retraction-window", defaultValue = "" + FilterConfig.DEFAULT_RETRACTION_WINDOW, paramLabel = "N",
      description = "Newest credible samples each task keeps so that a newer Victim version can re-judge them; "
          + "those it calls suspect get a Retraction on <prefix>retractions. 0 retracts nothing (default: ${DEFAULT-VALUE}).")
  int retractionWindow;

  @Option(names = "--warmup-samples", defaultValue = "10000", paramLabel = "N",
      description = "Head of the stream the Victim warms up on before the first version; no sample is "
          + "released before then (default: ${DEFAULT-VALUE}). A quiet stream warms up earlier.")
  int warmupSamples;

  @Option(names = "--retrain-every", defaultValue = "10000", paramLabel = "N",
      description = "New samples that trigger another Victim retraining round and version (default: ${DEFAULT-VALUE}).")
  int retrainEvery;

  @Option(names = "--victim-window", defaultValue = "60000", paramLabel = "N",
      description = "Recent samples the Victim re-scores and retrains from (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--split", defaultValue = "class-mixture", paramLabel = "POLICY",
      description = "How the Victim's window is split: class-mixture (per-class mixture with a reference-model "
          + "check, see docs/split-rule.md), class-mixture-agree (its reference learns only from samples the "
          + "Victim predicts as their label) or vab (V&B's fixed 0.6/0.2 thresholds) (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--split-gap", paramLabel = "DECADES",
      description = "class-mixture: decades between a class's low and high entropy cluster before it can be split "
          + "(default: " + ClassMixtureSplit.Thresholds.DEFAULT_MIN_GAP_DECADES + "; sensitivity scan in docs/split-rule.md).")
  Double splitGap;

  @Option(names = "--split-disagreement", paramLabel = "SHARE",
      description = "class-mixture: share of that low cluster the reference model must put in other classes "
          + "(default: " + ClassMixtureSplit.Thresholds.DEFAULT_MIN_DISAGREEMENT + ").")
  Double splitDisagreement;

  @Option(names = "--split-narrow-gap", paramLabel = "DECADES",
      description = "class-mixture's narrow arm, for slowly learnt triggers: its smaller gap (default: "
          + ClassMixtureSplit.Thresholds.DEFAULT_NARROW_MIN_GAP_DECADES + ").")
  Double splitNarrowGap;

  @Option(names = "--split-narrow-disagreement", paramLabel = "SHARE",
      description = "class-mixture's narrow arm: its larger disagreement share (default: "
          + ClassMixtureSplit.Thresholds.DEFAULT_NARROW_MIN_DISAGREEMENT + ").")
  Double splitNarrowDisagreement;

  @Option(names = "--split-excess", paramLabel = "SHARE",
      description = "class-mixture, both arms: how far the low cluster's disagreement share must exceed the reference "
          + "model's on the same class's high cluster, counted on members it did not learn from; -1 turns the gate off "
          + "(default: " + ClassMixtureSplit.Thresholds.DEFAULT_MIN_EXCESS + ").")
  Double splitExcess;

  @Option(names = "--split-posterior", paramLabel = "P",
      description = "class-mixture: in a split class, a sample is suspect while its low-cluster posterior is at "
          + "least P (default: " + ClassMixtureSplit.Thresholds.DEFAULT_SUSPECT_POSTERIOR + ").")
  Double splitPosterior;

  @Option(names = "--inclass", defaultValue = "none", paramLabel = "TEST",
      description = "A test inside each claimed class in the Victim's penultimate features, published with each "
          + "version beside the entropy split, for clean-label poison (SIG, label-consistent) that keeps its label: "
          + "none, spectral (spectral signatures on a robust covariance) or clustering (2-means); what it quarantines "
          + "has the reason feature-outlier (default: ${DEFAULT-VALUE}; measurements in docs/split-rule.md).")
  String inClass;

  @Option(names = "--inclass-z", paramLabel = "Z",
      description = "--inclass: robust deviations above the other classes' median a class's statistic must lie to be "
          + "flagged (default: " + InClassTest.Settings.DEFAULT_MIN_Z + ").")
  Double inClassZ;

  SplitPolicy splitPolicy() {
    InClassTest test = InClassTest.byName(inClass == null ? "none" : inClass);
    if (test == InClassTest.NONE && inClassZ != null) {
      throw new IllegalArgumentException("--inclass-z tunes the in-class test; --inclass is none");
    }
    return SplitPolicies.withInClass(entropyPolicy(), test,
        inClassZ == null ? InClassTest.Settings.defaults() : new InClassTest.Settings(inClassZ));
  }

  private SplitPolicy entropyPolicy() {
    SplitPolicy policy = SplitPolicies.byName(split);
    boolean tuned = splitGap != null || splitDisagreement != null || splitNarrowGap != null
        || splitNarrowDisagreement != null || splitPosterior != null || splitExcess != null;
    if (!tuned) {
      return policy;
    }
    if (!(policy instanceof ClassMixtureSplit mixture)) {
      throw new IllegalArgumentException("--split-gap, --split-disagreement, --split-narrow-gap, "
          + "--split-narrow-disagreement, --split-excess and --split-posterior tune the class-mixture split; --split " + split
          + " has none of them");
    }
    ClassMixtureSplit.Thresholds t = mixture.thresholds();
    t = splitGap != null ? t.withMinGapDecades(splitGap) : t;
    t = splitDisagreement != null ? t.withMinDisagreement(splitDisagreement) : t;
    t = splitNarrowGap != null ? t.withNarrowMinGapDecades(splitNarrowGap) : t;
    t = splitNarrowDisagreement != null ? t.withNarrowMinDisagreement(splitNarrowDisagreement) : t;
    t = splitPosterior != null ? t.withSuspectPosterior(splitPosterior) : t;
    t = splitExcess != null ? t.withMinExcess(splitExcess) : t;
    return mixture.withThresholds(t);
  }

  FilterConfig filterConfig(TopicNames topics, String applicationId) {
    return FilterConfig.defaults(topics)
        .withApplicationId(applicationId)
        .withBatchSize(batchSize)
        .withMaxBatchWait(Duration.ofMillis(maxBatchWaitMs))
        .withRetractionWindow(retractionWindow);
  }

  /** How the Victim is trained: the defaults with these options' warm-up, rounds and window. */
  VictimSchedule.Plan victimPlan() {
    VictimSchedule.Plan d = VictimSchedule.Plan.defaults();
    return d.withWarmup(warmupSamples, Math.min(d.minWarmupSamples(), warmupSamples)).withRetrainEvery(retrainEvery)
        .withWindowSize(Math.max(window, warmupSamples));
  }

  VictimUpdaterConfig updaterConfig(TopicNames topics, Path checkpointDir) {
    return VictimUpdaterConfig.defaults(topics, checkpointDir).withPlan(victimPlan());
  }

  /**
   * For a stream known to end after {@code streamSamples} (the demo's): a stream shorter than the
   * Victim's head would otherwise wait for a head that never comes, so the Victim warms up on the
   * whole stream instead, and {@code out} is told why detection on so few samples is weak.
   */
  VictimUpdaterConfig updaterConfig(TopicNames topics, Path checkpointDir, int streamSamples, PrintStream out) {
    VictimSchedule.Plan plan = victimPlan();
    if (streamSamples > 0 && streamSamples < plan.minWarmupSamples()) {
      out.printf(Locale.ROOT, "the stream has %d samples, fewer than the Victim's minimum head of %d: the Victim warms up "
          + "on all %d once they have arrived; with so few samples per class its split is weak or absent%n",
          streamSamples, plan.minWarmupSamples(), streamSamples);
      plan = plan.withWarmup(streamSamples, streamSamples);
    }
    return VictimUpdaterConfig.defaults(topics, checkpointDir).withPlan(plan);
  }
}

package dev.sieve.stream.app;

import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.stream.updater.VictimUpdater;
import java.util.Locale;
import java.util.Optional;

/**
 * Which Victim judges on this instance, and while none of the updater's versions does, what the
 * filter waits for, in words for {@code /health} and {@code sieve stream}'s progress line. A new
 * deployment on a slow stream releases nothing for as long as the Victim collects its head, so an
 * operator looking at a silent filter must be able to see that it waits, for what and how far it is.
 *
 * @param installed the version in force, if any
 * @param initialModelId the model id of the initial Victim ({@code --initial-victim}), null without one
 * @param updater what this instance's Victim updater is doing, null on an instance that only filters
 * @param victimModelsTopic where an instance without an updater takes its versions from
 */
record VictimWait(Optional<Long> installed, String initialModelId, UpdaterState updater, String victimModelsTopic) {

  /**
   * What the updater is doing, copied out of it so that the words can be tested without Kafka.
   *
   * @param version the version it published last (0 before the first)
   */
  record UpdaterState(VictimUpdater.Phase phase, long samplesRead, long version, VictimSchedule.Plan plan) {

    static UpdaterState of(VictimUpdater updater) {
      return new UpdaterState(updater.phase(), updater.samplesRead(), updater.version(), updater.plan());
    }
  }

  /** E.g. "victim v3", or "no victim yet: victim collecting head: 312/10000 samples (...); nothing is released ...". */
  String describe() {
    boolean initialInForce = initialModelId != null && installed.isPresent()
        && installed.get() == ModelTrust.INITIAL_VERSION;
    if (installed.isPresent() && !initialInForce) {
      return "victim v" + installed.get();
    }
    if (initialInForce) {
      return "initial victim " + initialModelId + " (v0, --initial-victim) judges until the first Victim version; "
          + updaterInWords();
    }
    return "no victim yet: " + updaterInWords() + "; nothing is released until the first Victim version";
  }

  private String updaterInWords() {
    if (updater == null) {
      return "waiting for the first Victim version on " + victimModelsTopic
          + " (published by the one instance that runs the Victim updater)";
    }
    VictimSchedule.Plan plan = updater.plan();
    return switch (updater.phase()) {
      case COLLECTING_HEAD -> String.format(Locale.ROOT,
          "victim collecting head: %d/%d samples (it warms up on fewer, at least %d, once no sample has arrived for %d s)",
          updater.samplesRead(), plan.warmupSamples(), plan.minWarmupSamples(), plan.warmupIdle().toSeconds());
      case WARMING_UP -> String.format(Locale.ROOT,
          "victim warming up on its head of %d samples and fitting its first split", updater.samplesRead());
      case PUBLISHED -> "victim v" + updater.version() + " published, being loaded";
    };
  }
}

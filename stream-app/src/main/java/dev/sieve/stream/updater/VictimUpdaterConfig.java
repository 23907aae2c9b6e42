package dev.sieve.stream.updater;

import dev.sieve.model.Architecture;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the Victim updater reads and writes, and how it trains the Victim.
 *
 * @param topics samples are read from {@code topics.samples()}, versions go to {@code victimModels()}
 * @param checkpointDir where the Victim's checkpoints are written; every filter instance reads them
 * @param modelId the Victim's model id in checkpoints and on victim-models
 * @param plan the warm-up, the rounds and the optimiser ({@link VictimSchedule.Plan})
 * @param family the Victim's layers, built for the filter's image shape (see
 *     {@link VictimUpdater#architectureFor}); the small CNN by default
 */
public record VictimUpdaterConfig(TopicNames topics, Path checkpointDir, String modelId, VictimSchedule.Plan plan,
    Architecture.Family family) {

  public static final String DEFAULT_MODEL_ID = "victim";

  public VictimUpdaterConfig {
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(checkpointDir, "checkpointDir");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(family, "family");
  }

  public static VictimUpdaterConfig defaults(TopicNames topics, Path checkpointDir) {
    return new VictimUpdaterConfig(topics, checkpointDir, DEFAULT_MODEL_ID, VictimSchedule.Plan.defaults(),
        Architecture.Family.SMALL_CNN);
  }

  public VictimUpdaterConfig withPlan(VictimSchedule.Plan value) {
    return new VictimUpdaterConfig(topics, checkpointDir, modelId, value, family);
  }

  public VictimUpdaterConfig withFamily(Architecture.Family value) {
    return new VictimUpdaterConfig(topics, checkpointDir, modelId, plan, value);
  }

  public VictimUpdaterConfig withWarmup(int samples, int minSamples) {
    return withPlan(plan.withWarmup(samples, minSamples));
  }

  public VictimUpdaterConfig withRetrainEvery(int samples) {
    return withPlan(plan.withRetrainEvery(samples));
  }
}

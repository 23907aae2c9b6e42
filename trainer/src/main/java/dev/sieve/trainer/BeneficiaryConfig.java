package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.model.beneficiary.RecipeSettings;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the Beneficiary trainer needs to know. Start from {@link #defaults} and change what
 * differs with the {@code with...} methods; the constructor refuses values that cannot work.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topics the credible and quarantine topics are read (labelled and unlabelled data), the
 *     victim-models topic is followed, the clean-models topic is written
 * @param groupId consumer group of the verdict consumer; positions are NOT committed to it (they
 *     live in the checkpoint), the group only provides partition assignment
 * @param checkpointDir where checkpoints are written and resumed from
 * @param modelId name of the Beneficiary in checkpoints and on the clean-models topic
 * @param architecture network of a fresh model; a resumed model keeps its checkpoint's
 * @param batchSize credible samples per optimizer step (and as many unlabelled ones beside them)
 * @param maxBatchWait a partial batch is trained after this long, so a trickle of records is not
 *     held back forever
 * @param learningRate Adam learning rate
 * @param replayRatio extra optimizer steps per new batch, each on a random batch from the window,
 *     so that the model sees data more than once although the stream delivers it once
 * @param windowSize how many recent credible samples the replay window keeps (oldest dropped);
 *     the pool of unlabelled (quarantined or re-checked) samples has the same capacity
 * @param checkpointEverySteps optimizer steps between checkpoints (replay steps count)
 * @param seed seeds the initial weights and the replay draws
 * @param maxPollRecords {@code max.poll.records} of the verdict consumer
 * @param highWaterMark records the consumer may hold locally before it pauses its partitions
 * @param progressInterval how often progress is logged and reported to the listener
 * @param victimModelId whose versions on the victim-models topic suppress targets and re-check
 *     the window (the filter's Victim updater publishes as "victim")
 * @param recipe V&amp;B's Beneficiary step: AttentionMix, its mask threshold, the suppression
 *     temperature and augmentation. Its own learning rate and batch size are replaced by
 *     {@link #learningRate} and {@link #batchSize} (see {@link #stepSettings}), so that the two
 *     can never disagree
 * @param unlabelledWeight λ of V&amp;B's {@code L_labelled + λ·L_unlabelled}; 0 trains on the
 *     credible samples only
 * @param clientOverrides Kafka client settings (security: {@code security.protocol}, {@code sasl.*},
 *     {@code ssl.*}) applied to every client of the trainer, after its own; they cannot switch off
 *     what the verdict consumer depends on (read_committed, no auto-commit)
 */
public record BeneficiaryConfig(
    String bootstrapServers,
    TopicNames topics,
    String groupId,
    Path checkpointDir,
    String modelId,
    Architecture architecture,
    int batchSize,
    Duration maxBatchWait,
    double learningRate,
    int replayRatio,
    int windowSize,
    int checkpointEverySteps,
    long seed,
    int maxPollRecords,
    int highWaterMark,
    Duration progressInterval,
    String victimModelId,
    RecipeSettings recipe,
    double unlabelledWeight,
    Map<String, String> clientOverrides) {

  public static final String DEFAULT_GROUP_ID = "sieve-beneficiary";
  public static final String DEFAULT_MODEL_ID = "beneficiary";
  /** The model id the filter's Victim updater publishes under. */
  public static final String DEFAULT_VICTIM_MODEL_ID = "victim";
  /** V&amp;B's λ for the second half of its suppression epochs. */
  public static final double DEFAULT_UNLABELLED_WEIGHT = 0.5;

  public BeneficiaryConfig {
    requireText("bootstrapServers", bootstrapServers);
    Objects.requireNonNull(topics, "topics must not be null");
    requireText("groupId", groupId);
    Objects.requireNonNull(checkpointDir, "checkpointDir must not be null");
    if (modelId == null || !modelId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("modelId must be non-empty [A-Za-z0-9._-] (it names checkpoint files), got '" + modelId + "'");
    }
    Objects.requireNonNull(architecture, "architecture must not be null");
    requirePositive("batchSize", batchSize);
    requirePositive("maxBatchWait", maxBatchWait);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be a positive finite number, got " + learningRate);
    }
    if (replayRatio < 0) {
      throw new IllegalArgumentException("replayRatio must be >= 0 (0 = no replay), got " + replayRatio);
    }
    if (windowSize < batchSize) {
      throw new IllegalArgumentException("windowSize must be >= batchSize (" + batchSize + ") so that a replay batch can be drawn, got " + windowSize);
    }
    requirePositive("checkpointEverySteps", checkpointEverySteps);
    requirePositive("maxPollRecords", maxPollRecords);
    requirePositive("highWaterMark", highWaterMark);
    requirePositive("progressInterval", progressInterval);
    requireText("victimModelId", victimModelId);
    Objects.requireNonNull(recipe, "recipe must not be null (RecipeSettings.defaults() is V&B's)");
    if (!(unlabelledWeight >= 0) || Double.isInfinite(unlabelledWeight)) {
      throw new IllegalArgumentException("unlabelledWeight must be a finite number >= 0 (0 = credible samples only), got "
          + unlabelledWeight);
    }
    clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
  }

  /**
   * The documented defaults: batches of 128, one replay step per batch, a 60,000-sample window,
   * V&amp;B's recipe (AttentionMix, suppression at temperature 3) with λ 0.5.
   */
  public static BeneficiaryConfig defaults(String bootstrapServers, Path checkpointDir) {
    return new BeneficiaryConfig(bootstrapServers, TopicNames.defaults(), DEFAULT_GROUP_ID, checkpointDir,
        DEFAULT_MODEL_ID, Architecture.FMNIST_CNN_V1, 128, Duration.ofMillis(500), 1e-3, 1, 60_000, 200, 42L,
        256, 1024, Duration.ofSeconds(5), DEFAULT_VICTIM_MODEL_ID, RecipeSettings.defaults(),
        DEFAULT_UNLABELLED_WEIGHT, Map.of());
  }

  /** The recipe the training step runs with: {@link #recipe} with this config's learning rate and batch size. */
  public RecipeSettings stepSettings() {
    return recipe.withLearningRate((float) learningRate).withBatchSize(batchSize);
  }

  public BeneficiaryConfig withTopics(TopicNames value) {
    return new BeneficiaryConfig(bootstrapServers, value, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withGroupId(String value) {
    return new BeneficiaryConfig(bootstrapServers, topics, value, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withModelId(String value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, value, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withBatchSize(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, value,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withMaxBatchWait(Duration value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        value, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords, highWaterMark,
        progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withLearningRate(double value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, value, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords, highWaterMark,
        progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withReplayRatio(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, value, windowSize, checkpointEverySteps, seed, maxPollRecords, highWaterMark,
        progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withWindowSize(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, value, checkpointEverySteps, seed, maxPollRecords, highWaterMark,
        progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withCheckpointEverySteps(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, value, seed, maxPollRecords, highWaterMark,
        progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withSeed(long value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, value, maxPollRecords,
        highWaterMark, progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withMaxPollRecords(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, value, highWaterMark,
        progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withHighWaterMark(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords, value,
        progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withProgressInterval(Duration value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, value, victimModelId, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withVictimModelId(String value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval, value, recipe, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withRecipe(RecipeSettings value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval, victimModelId, value, unlabelledWeight, clientOverrides);
  }

  public BeneficiaryConfig withUnlabelledWeight(double value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval, victimModelId, recipe, value, clientOverrides);
  }

  public BeneficiaryConfig withClientOverrides(Map<String, String> value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval, victimModelId, recipe, unlabelledWeight, value);
  }

  private static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + value);
    }
  }

  private static void requirePositive(String field, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + " must be a positive duration, got " + value);
    }
  }
}

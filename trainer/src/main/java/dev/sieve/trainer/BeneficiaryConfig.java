package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the Beneficiary trainer needs to know. Start from {@link #defaults} and change what
 * differs with the {@code with...} methods; the constructor refuses values that cannot work.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topics the credible topic is read, the clean-models topic is written
 * @param groupId consumer group of the credible consumer; positions are NOT committed to it (they
 *     live in the checkpoint), the group only provides partition assignment
 * @param checkpointDir where checkpoints are written and resumed from
 * @param modelId name of the Beneficiary in checkpoints and on the clean-models topic
 * @param architecture network of a fresh model; a resumed model keeps its checkpoint's
 * @param batchSize samples per optimizer step
 * @param maxBatchWait a partial batch is trained after this long, so a trickle of records is not
 *     held back forever
 * @param learningRate Adam learning rate
 * @param replayRatio extra optimizer steps per new batch, each on a random batch from the window,
 *     so that the model sees data more than once although the stream delivers it once
 * @param windowSize how many recent credible samples the replay window keeps (oldest dropped)
 * @param checkpointEverySteps optimizer steps between checkpoints (replay steps count)
 * @param seed seeds the initial weights and the replay draws
 * @param maxPollRecords {@code max.poll.records} of the credible consumer
 * @param highWaterMark records the consumer may hold locally before it pauses its partitions
 * @param progressInterval how often progress is logged and reported to the listener
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
    Duration progressInterval) {

  public static final String DEFAULT_GROUP_ID = "sieve-beneficiary";
  public static final String DEFAULT_MODEL_ID = "beneficiary";

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
  }

  /** The documented defaults: batches of 128, one replay step per batch, a 60,000-sample window. */
  public static BeneficiaryConfig defaults(String bootstrapServers, Path checkpointDir) {
    return new BeneficiaryConfig(bootstrapServers, TopicNames.defaults(), DEFAULT_GROUP_ID, checkpointDir,
        DEFAULT_MODEL_ID, Architecture.FMNIST_CNN_V1, 128, Duration.ofMillis(500), 1e-3, 1, 60_000, 200, 42L,
        256, 1024, Duration.ofSeconds(5));
  }

  public BeneficiaryConfig withTopics(TopicNames value) {
    return new BeneficiaryConfig(bootstrapServers, value, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withGroupId(String value) {
    return new BeneficiaryConfig(bootstrapServers, topics, value, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withModelId(String value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, value, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withBatchSize(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, value,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withMaxBatchWait(Duration value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        value, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withLearningRate(double value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, value, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withReplayRatio(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, value, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withWindowSize(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, value, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withCheckpointEverySteps(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, value, seed, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withSeed(long value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, value, maxPollRecords,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withMaxPollRecords(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, value,
        highWaterMark, progressInterval);
  }

  public BeneficiaryConfig withHighWaterMark(int value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        value, progressInterval);
  }

  public BeneficiaryConfig withProgressInterval(Duration value) {
    return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize,
        maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords,
        highWaterMark, value);
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

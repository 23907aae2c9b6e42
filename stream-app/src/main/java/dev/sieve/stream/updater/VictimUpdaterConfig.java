package dev.sieve.stream.updater;

import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the Victim is trained and published.
 *
 * @param warmupSamples the head of the stream the Victim warms up on (one epoch of plain
 *     cross-entropy, as in V&amp;B); warm-up also starts early if the stream goes quiet
 * @param minWarmupSamples fewest samples warm-up will run on after {@code warmupIdle}
 * @param warmupIdle how long a quiet stream waits before warming up on what it has
 * @param bootstrapRounds suspicious-set retraining rounds before the first version is published,
 *     so the first Victim the filter uses is already a sharp detector
 * @param retrainEvery new samples that trigger another retraining round and a new version
 * @param roundIdle a quiet stream with unscored new samples gets a round after this long
 * @param windowSize how many recent samples the Victim scores and retrains from
 */
public record VictimUpdaterConfig(
    TopicNames topics,
    Path checkpointDir,
    String modelId,
    int warmupSamples,
    int minWarmupSamples,
    Duration warmupIdle,
    int bootstrapRounds,
    int retrainEvery,
    Duration roundIdle,
    int windowSize,
    int batchSize,
    float learningRate,
    long seed) {

  public static final String DEFAULT_MODEL_ID = "victim";

  public VictimUpdaterConfig {
    if (warmupSamples < 1 || minWarmupSamples < 1 || minWarmupSamples > warmupSamples) {
      throw new IllegalArgumentException("need 1 <= minWarmupSamples <= warmupSamples, got "
          + minWarmupSamples + " and " + warmupSamples);
    }
    if (windowSize < warmupSamples) {
      throw new IllegalArgumentException("windowSize " + windowSize + " must hold the warm-up head of " + warmupSamples);
    }
    if (retrainEvery < 1 || batchSize < 1 || bootstrapRounds < 0) {
      throw new IllegalArgumentException("retrainEvery and batchSize must be >= 1 and bootstrapRounds >= 0");
    }
  }

  public static VictimUpdaterConfig defaults(TopicNames topics, Path checkpointDir) {
    return new VictimUpdaterConfig(topics, checkpointDir, DEFAULT_MODEL_ID, 10_000, 1_000,
        Duration.ofSeconds(3), 5, 10_000, Duration.ofSeconds(5), 60_000, 128, 1e-3f, 7);
  }

  public VictimUpdaterConfig withWarmup(int samples, int minSamples) {
    return new VictimUpdaterConfig(topics, checkpointDir, modelId, samples, minSamples, warmupIdle,
        bootstrapRounds, retrainEvery, roundIdle, Math.max(windowSize, samples), batchSize, learningRate, seed);
  }

  public VictimUpdaterConfig withRetrainEvery(int samples) {
    return new VictimUpdaterConfig(topics, checkpointDir, modelId, warmupSamples, minWarmupSamples, warmupIdle,
        bootstrapRounds, samples, roundIdle, windowSize, batchSize, learningRate, seed);
  }

  public VictimUpdaterConfig withBootstrapRounds(int rounds) {
    return new VictimUpdaterConfig(topics, checkpointDir, modelId, warmupSamples, minWarmupSamples, warmupIdle,
        rounds, retrainEvery, roundIdle, windowSize, batchSize, learningRate, seed);
  }

  public VictimUpdaterConfig withSeed(long value) {
    return new VictimUpdaterConfig(topics, checkpointDir, modelId, warmupSamples, minWarmupSamples, warmupIdle,
        bootstrapRounds, retrainEvery, roundIdle, windowSize, batchSize, learningRate, value);
  }
}

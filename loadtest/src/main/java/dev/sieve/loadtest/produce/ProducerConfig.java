package dev.sieve.loadtest.produce;

import dev.sieve.loadtest.attack.BadNetsTrigger;
import dev.sieve.wire.TopicNames;
import java.util.Set;

/**
 * What the load producer sends and how fast.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topics where the samples topic is
 * @param limit how many training samples to send, taken from the start of the data set; 0 = all
 * @param poisonRate fraction of the sent samples to poison with BadNets, in [0, 1]
 * @param targetLabel the all-to-one target class of the attack
 * @param triggerSize side of the white square trigger, in pixels
 * @param seed seeds the choice of poisoned samples and the shuffle, so runs repeat
 * @param recordsPerSecond pacing; 0 sends as fast as the producer accepts
 * @param shuffle send in a seeded random order instead of data-set order
 * @param compression {@code lz4} or {@code none}
 */
public record ProducerConfig(
    String bootstrapServers,
    TopicNames topics,
    int limit,
    double poisonRate,
    int targetLabel,
    int triggerSize,
    long seed,
    double recordsPerSecond,
    boolean shuffle,
    String compression) {

  public static final double DEFAULT_POISON_RATE = 0.1;
  public static final long DEFAULT_SEED = 42L;
  public static final String DEFAULT_COMPRESSION = "lz4";
  private static final Set<String> COMPRESSIONS = Set.of("lz4", "none");

  public ProducerConfig {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must be set, e.g. 127.0.0.1:9092");
    }
    if (topics == null) {
      throw new IllegalArgumentException("topics must not be null (use TopicNames.defaults())");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 = all samples), got " + limit);
    }
    if (!(poisonRate >= 0.0 && poisonRate <= 1.0)) {
      throw new IllegalArgumentException("poisonRate must be in [0, 1], got " + poisonRate);
    }
    if (!(recordsPerSecond >= 0.0) || Double.isInfinite(recordsPerSecond)) {
      throw new IllegalArgumentException("recordsPerSecond must be finite and >= 0 (0 = unthrottled), got "
          + recordsPerSecond);
    }
    if (compression == null || !COMPRESSIONS.contains(compression)) {
      throw new IllegalArgumentException("compression must be one of " + COMPRESSIONS + ", got " + compression);
    }
    // Validates size and target the same way the producer will use them.
    new BadNetsTrigger(triggerSize, targetLabel);
  }

  /** All 60,000 samples, 10 % poisoned with a 3x3 trigger towards class 0, unthrottled, lz4. */
  public static ProducerConfig defaults(String bootstrapServers) {
    return new ProducerConfig(bootstrapServers, TopicNames.defaults(), 0, DEFAULT_POISON_RATE,
        BadNetsTrigger.DEFAULT_TARGET_LABEL, BadNetsTrigger.DEFAULT_SIZE, DEFAULT_SEED, 0.0, false,
        DEFAULT_COMPRESSION);
  }

  public ProducerConfig withTopics(TopicNames value) {
    return new ProducerConfig(bootstrapServers, value, limit, poisonRate, targetLabel, triggerSize, seed,
        recordsPerSecond, shuffle, compression);
  }

  public ProducerConfig withLimit(int value) {
    return new ProducerConfig(bootstrapServers, topics, value, poisonRate, targetLabel, triggerSize, seed,
        recordsPerSecond, shuffle, compression);
  }

  public ProducerConfig withPoisonRate(double value) {
    return new ProducerConfig(bootstrapServers, topics, limit, value, targetLabel, triggerSize, seed,
        recordsPerSecond, shuffle, compression);
  }

  public ProducerConfig withTargetLabel(int value) {
    return new ProducerConfig(bootstrapServers, topics, limit, poisonRate, value, triggerSize, seed,
        recordsPerSecond, shuffle, compression);
  }

  public ProducerConfig withTriggerSize(int value) {
    return new ProducerConfig(bootstrapServers, topics, limit, poisonRate, targetLabel, value, seed,
        recordsPerSecond, shuffle, compression);
  }

  public ProducerConfig withSeed(long value) {
    return new ProducerConfig(bootstrapServers, topics, limit, poisonRate, targetLabel, triggerSize, value,
        recordsPerSecond, shuffle, compression);
  }

  public ProducerConfig withRecordsPerSecond(double value) {
    return new ProducerConfig(bootstrapServers, topics, limit, poisonRate, targetLabel, triggerSize, seed,
        value, shuffle, compression);
  }

  public ProducerConfig withShuffle(boolean value) {
    return new ProducerConfig(bootstrapServers, topics, limit, poisonRate, targetLabel, triggerSize, seed,
        recordsPerSecond, value, compression);
  }

  public ProducerConfig withCompression(String value) {
    return new ProducerConfig(bootstrapServers, topics, limit, poisonRate, targetLabel, triggerSize, seed,
        recordsPerSecond, shuffle, value);
  }

  public BadNetsTrigger trigger() {
    return new BadNetsTrigger(triggerSize, targetLabel);
  }
}

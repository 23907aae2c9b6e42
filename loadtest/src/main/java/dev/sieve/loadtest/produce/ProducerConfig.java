package dev.sieve.loadtest.produce;

import dev.sieve.attack.Attack;
import dev.sieve.attack.Attacks;
import dev.sieve.attack.BadNetsTrigger;
import dev.sieve.attack.PoisonComponent;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.attack.zoo.Zoo;
import dev.sieve.data.FashionMnist;
import dev.sieve.wire.ClientSecrets;
import dev.sieve.wire.TopicNames;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the load producer sends and how fast.
 *
 * @param bootstrapServers Kafka {@code bootstrap.servers}
 * @param topics where the samples topic is
 * @param firstImage the first training image to send; images before it are never sent
 * @param limit how many training samples to send, from {@code firstImage} on; 0 = all the rest
 * @param poisonRate in [0, 1]: the share of the sent samples to poison for a dirty-label attack,
 *     the share of the target-class samples for a clean-label one (see {@code PoisonPlan}); not
 *     used with a zoo spec, whose draw decides its rates
 * @param targetLabel the all-to-one target class of the attack; not used with a zoo spec
 * @param attackSpec the attack, as {@link Attacks#parse} reads it, e.g. {@code badnets-3x3}, or a
 *     zoo draw {@code zoo:SEED:INDEX} ({@link Zoo#parse})
 * @param seed seeds the choice of poisoned samples and the shuffle, so runs repeat
 * @param recordsPerSecond pacing; 0 sends as fast as the producer accepts
 * @param shuffle send in a seeded random order instead of data-set order
 * @param compression {@code lz4} or {@code none}
 * @param clientOverrides Kafka producer settings (security: {@code security.protocol}, {@code sasl.*},
 *     {@code ssl.*}) applied over the producer's own
 */
public record ProducerConfig(
    String bootstrapServers,
    TopicNames topics,
    int firstImage,
    int limit,
    double poisonRate,
    int targetLabel,
    String attackSpec,
    long seed,
    double recordsPerSecond,
    boolean shuffle,
    String compression,
    Map<String, String> clientOverrides) {

  /** Clears the secrets in {@link #clientOverrides}: this record is logged. */
  @Override
  public String toString() {
    return "ProducerConfig[bootstrapServers=" + bootstrapServers + ", topics=" + topics + ", firstImage=" + firstImage
        + ", limit=" + limit
        + ", poisonRate=" + poisonRate + ", targetLabel=" + targetLabel + ", attackSpec=" + attackSpec + ", seed=" + seed
        + ", recordsPerSecond=" + recordsPerSecond + ", shuffle=" + shuffle + ", compression=" + compression
        + ", clientOverrides=" + ClientSecrets.redact(clientOverrides) + "]";
  }

  public static final double DEFAULT_POISON_RATE = 0.1;
  public static final long DEFAULT_SEED = 42L;
  public static final String DEFAULT_COMPRESSION = "lz4";
  public static final String DEFAULT_ATTACK = "badnets-3x3";
  private static final Set<String> COMPRESSIONS = Set.of("lz4", "none");

  public ProducerConfig {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must be set, e.g. 127.0.0.1:9092");
    }
    if (topics == null) {
      throw new IllegalArgumentException("topics must not be null (use TopicNames.defaults())");
    }
    if (firstImage < 0) {
      throw new IllegalArgumentException("firstImage must be >= 0, got " + firstImage);
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
    // Validates the spec and the target the same way the producer will use them.
    Zoo.poisoning(attackSpec, poisonRate, targetLabel);
    clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
  }

  /** All 60,000 samples, 10 % poisoned with a 3x3 BadNets patch towards class 0, unthrottled, lz4. */
  public static ProducerConfig defaults(String bootstrapServers) {
    return defaults(bootstrapServers, TopicNames.defaults());
  }

  /** As {@link #defaults(String)} on the given topics. */
  public static ProducerConfig defaults(String bootstrapServers, TopicNames topics) {
    return new ProducerConfig(bootstrapServers, topics, 0, 0, DEFAULT_POISON_RATE,
        BadNetsTrigger.DEFAULT_TARGET_LABEL, DEFAULT_ATTACK, DEFAULT_SEED, 0.0, false, DEFAULT_COMPRESSION, Map.of());
  }

  public ProducerConfig withTopics(TopicNames value) {
    return toBuilder().topics(value).build();
  }

  /** Streams from training image {@code value} on: with {@link #withLimit}, a range of the training set. */
  public ProducerConfig withFirstImage(int value) {
    return toBuilder().firstImage(value).build();
  }

  public ProducerConfig withLimit(int value) {
    return toBuilder().limit(value).build();
  }

  public ProducerConfig withPoisonRate(double value) {
    return toBuilder().poisonRate(value).build();
  }

  public ProducerConfig withTargetLabel(int value) {
    return toBuilder().targetLabel(value).build();
  }

  /** {@code value} is an attack spec, e.g. {@code blend-0.2} (see {@link Attacks#names()}), or {@code zoo:SEED:INDEX}. */
  public ProducerConfig withAttack(String value) {
    return toBuilder().attackSpec(value).build();
  }

  public ProducerConfig withSeed(long value) {
    return toBuilder().seed(value).build();
  }

  public ProducerConfig withRecordsPerSecond(double value) {
    return toBuilder().recordsPerSecond(value).build();
  }

  public ProducerConfig withShuffle(boolean value) {
    return toBuilder().shuffle(value).build();
  }

  public ProducerConfig withCompression(String value) {
    return toBuilder().compression(value).build();
  }

  public ProducerConfig withClientOverrides(Map<String, String> value) {
    return toBuilder().clientOverrides(value).build();
  }

  /**
   * The configured built-in attack towards {@link #targetLabel()}. A zoo spec may bring two
   * attacks, so it has {@link #poisoning()} instead and is refused here.
   */
  public Attack attack() {
    if (Zoo.isSpec(attackSpec)) {
      throw new IllegalStateException("attack spec " + attackSpec + " is a zoo draw of one or two attacks: use poisoning()");
    }
    return Attacks.parse(attackSpec, targetLabel);
  }

  /** What poisons the stream: the built-in attack at {@link #poisonRate()}, or the zoo draw's components. */
  public List<PoisonComponent> poisoning() {
    return Zoo.poisoning(attackSpec, poisonRate, targetLabel);
  }

  /** How many samples this config sends from a training split of {@code trainSize} images. */
  public int count(int trainSize) {
    return count(firstImage, limit, trainSize);
  }

  /** How many of {@code trainSize} images a stream from {@code firstImage} on sends with {@code limit} (0 = all the rest). */
  public static int count(int firstImage, int limit, int trainSize) {
    if (firstImage >= trainSize) {
      throw new IllegalArgumentException("first image " + firstImage + " is beyond the " + trainSize
          + " training images");
    }
    int rest = trainSize - firstImage;
    return limit == 0 ? rest : Math.min(limit, rest);
  }

  /** The samples this config sends from {@code train}, poisoned as configured. */
  public PoisonedTrainingSet trainingSet(FashionMnist.Split train) {
    return new PoisonedTrainingSet(train, firstImage, count(train.size()), poisoning(), seed);
  }

  /** A builder holding this record's values, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.topics = topics;
    b.firstImage = firstImage;
    b.limit = limit;
    b.poisonRate = poisonRate;
    b.targetLabel = targetLabel;
    b.attackSpec = attackSpec;
    b.seed = seed;
    b.recordsPerSecond = recordsPerSecond;
    b.shuffle = shuffle;
    b.compression = compression;
    b.clientOverrides = clientOverrides;
    return b;
  }

  /** Every field of a {@link ProducerConfig}; {@link #build} checks them as the constructor does. */
  public static final class Builder {
    private String bootstrapServers;
    private TopicNames topics;
    private int firstImage;
    private int limit;
    private double poisonRate;
    private int targetLabel;
    private String attackSpec;
    private long seed;
    private double recordsPerSecond;
    private boolean shuffle;
    private String compression;
    private Map<String, String> clientOverrides;

    private Builder() {}

    public Builder bootstrapServers(String value) {
      this.bootstrapServers = value;
      return this;
    }

    public Builder topics(TopicNames value) {
      this.topics = value;
      return this;
    }

    public Builder firstImage(int value) {
      this.firstImage = value;
      return this;
    }

    public Builder limit(int value) {
      this.limit = value;
      return this;
    }

    public Builder poisonRate(double value) {
      this.poisonRate = value;
      return this;
    }

    public Builder targetLabel(int value) {
      this.targetLabel = value;
      return this;
    }

    public Builder attackSpec(String value) {
      this.attackSpec = value;
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public Builder recordsPerSecond(double value) {
      this.recordsPerSecond = value;
      return this;
    }

    public Builder shuffle(boolean value) {
      this.shuffle = value;
      return this;
    }

    public Builder compression(String value) {
      this.compression = value;
      return this;
    }

    public Builder clientOverrides(Map<String, String> value) {
      this.clientOverrides = value;
      return this;
    }

    public ProducerConfig build() {
      return new ProducerConfig(bootstrapServers, topics, firstImage, limit, poisonRate, targetLabel, attackSpec, seed,
          recordsPerSecond, shuffle, compression, clientOverrides);
    }
  }
}

package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.wire.ClientSecrets;
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
 * @param architecture the model's network; a checkpoint of another one in {@link #checkpointDir} is
 *     refused rather than resumed
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
 * @param modelTrust which Victim versions the trainer accepts (checkpoint root, limits, signing
 *     key), and the key its own clean models are signed with
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
    Map<String, String> clientOverrides,
    ModelTrust modelTrust) {

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
    Objects.requireNonNull(modelTrust, "modelTrust must not be null");
  }

  /**
   * The documented defaults: batches of 128, one replay step per batch, a 60,000-sample window,
   * V&amp;B's recipe (AttentionMix, suppression at temperature 3) with λ 0.5. Victim checkpoints
   * are trusted under {@code victim/} beside {@code checkpointDir}, where {@code sieve stream}
   * writes them by default, with no signing key.
   */
  public static BeneficiaryConfig defaults(String bootstrapServers, Path checkpointDir) {
    return new BeneficiaryConfig(bootstrapServers, TopicNames.defaults(), DEFAULT_GROUP_ID, checkpointDir,
        DEFAULT_MODEL_ID, Architecture.FMNIST_CNN_V1, 128, Duration.ofMillis(500), 1e-3, 1, 60_000, 200, 42L,
        256, 1024, Duration.ofSeconds(5), DEFAULT_VICTIM_MODEL_ID, RecipeSettings.defaults(),
        DEFAULT_UNLABELLED_WEIGHT, Map.of(), ModelTrust.within(checkpointDir.toAbsolutePath().resolveSibling("victim")));
  }

  /** The recipe the training step runs with: {@link #recipe} with this config's learning rate and batch size. */
  public RecipeSettings stepSettings() {
    return recipe.withLearningRate((float) learningRate).withBatchSize(batchSize);
  }

  public BeneficiaryConfig withTopics(TopicNames value) {
    return toBuilder().topics(value).build();
  }

  public BeneficiaryConfig withGroupId(String value) {
    return toBuilder().groupId(value).build();
  }

  public BeneficiaryConfig withCheckpointDir(Path value) {
    return toBuilder().checkpointDir(value).build();
  }

  public BeneficiaryConfig withModelId(String value) {
    return toBuilder().modelId(value).build();
  }

  public BeneficiaryConfig withArchitecture(Architecture value) {
    return toBuilder().architecture(value).build();
  }

  public BeneficiaryConfig withBatchSize(int value) {
    return toBuilder().batchSize(value).build();
  }

  public BeneficiaryConfig withMaxBatchWait(Duration value) {
    return toBuilder().maxBatchWait(value).build();
  }

  public BeneficiaryConfig withLearningRate(double value) {
    return toBuilder().learningRate(value).build();
  }

  public BeneficiaryConfig withReplayRatio(int value) {
    return toBuilder().replayRatio(value).build();
  }

  public BeneficiaryConfig withWindowSize(int value) {
    return toBuilder().windowSize(value).build();
  }

  public BeneficiaryConfig withCheckpointEverySteps(int value) {
    return toBuilder().checkpointEverySteps(value).build();
  }

  public BeneficiaryConfig withSeed(long value) {
    return toBuilder().seed(value).build();
  }

  public BeneficiaryConfig withMaxPollRecords(int value) {
    return toBuilder().maxPollRecords(value).build();
  }

  public BeneficiaryConfig withHighWaterMark(int value) {
    return toBuilder().highWaterMark(value).build();
  }

  public BeneficiaryConfig withProgressInterval(Duration value) {
    return toBuilder().progressInterval(value).build();
  }

  public BeneficiaryConfig withVictimModelId(String value) {
    return toBuilder().victimModelId(value).build();
  }

  public BeneficiaryConfig withRecipe(RecipeSettings value) {
    return toBuilder().recipe(value).build();
  }

  public BeneficiaryConfig withUnlabelledWeight(double value) {
    return toBuilder().unlabelledWeight(value).build();
  }

  public BeneficiaryConfig withClientOverrides(Map<String, String> value) {
    return toBuilder().clientOverrides(value).build();
  }

  public BeneficiaryConfig withModelTrust(ModelTrust value) {
    return toBuilder().modelTrust(value).build();
  }

  /** A builder holding this config's values, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.topics = topics;
    b.groupId = groupId;
    b.checkpointDir = checkpointDir;
    b.modelId = modelId;
    b.architecture = architecture;
    b.batchSize = batchSize;
    b.maxBatchWait = maxBatchWait;
    b.learningRate = learningRate;
    b.replayRatio = replayRatio;
    b.windowSize = windowSize;
    b.checkpointEverySteps = checkpointEverySteps;
    b.seed = seed;
    b.maxPollRecords = maxPollRecords;
    b.highWaterMark = highWaterMark;
    b.progressInterval = progressInterval;
    b.victimModelId = victimModelId;
    b.recipe = recipe;
    b.unlabelledWeight = unlabelledWeight;
    b.clientOverrides = clientOverrides;
    b.modelTrust = modelTrust;
    return b;
  }

  /** Clears the secrets in {@link #clientOverrides} (a JAAS config, passwords): this record is logged. */
  @Override
  public String toString() {
    return "BeneficiaryConfig[" + "bootstrapServers=" + bootstrapServers + ", " + "topics=" + topics + ", " + "groupId=" + groupId + ", " + "checkpointDir=" + checkpointDir + ", " + "modelId=" + modelId + ", " + "architecture=" + architecture + ", " + "batchSize=" + batchSize + ", " + "maxBatchWait=" + maxBatchWait + ", " + "learningRate=" + learningRate + ", " + "replayRatio=" + replayRatio + ", " + "windowSize=" + windowSize + ", " + "checkpointEverySteps=" + checkpointEverySteps + ", " + "seed=" + seed + ", " + "maxPollRecords=" + maxPollRecords + ", " + "highWaterMark=" + highWaterMark + ", " + "progressInterval=" + progressInterval + ", " + "victimModelId=" + victimModelId + ", " + "recipe=" + recipe + ", " + "unlabelledWeight=" + unlabelledWeight + ", " + "clientOverrides=" + ClientSecrets.redact(clientOverrides) + ", " + "modelTrust=" + modelTrust + "]";
  }

  /** Every field of a {@link BeneficiaryConfig}; {@link #build} checks them as the constructor does. */
  public static final class Builder {
    private String bootstrapServers;
    private TopicNames topics;
    private String groupId;
    private Path checkpointDir;
    private String modelId;
    private Architecture architecture;
    private int batchSize;
    private Duration maxBatchWait;
    private double learningRate;
    private int replayRatio;
    private int windowSize;
    private int checkpointEverySteps;
    private long seed;
    private int maxPollRecords;
    private int highWaterMark;
    private Duration progressInterval;
    private String victimModelId;
    private RecipeSettings recipe;
    private double unlabelledWeight;
    private Map<String, String> clientOverrides;
    private ModelTrust modelTrust;

    private Builder() {}

    public Builder bootstrapServers(String value) {
      this.bootstrapServers = value;
      return this;
    }

    public Builder topics(TopicNames value) {
      this.topics = value;
      return this;
    }

    public Builder groupId(String value) {
      this.groupId = value;
      return this;
    }

    public Builder checkpointDir(Path value) {
      this.checkpointDir = value;
      return this;
    }

    public Builder modelId(String value) {
      this.modelId = value;
      return this;
    }

    public Builder architecture(Architecture value) {
      this.architecture = value;
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    public Builder maxBatchWait(Duration value) {
      this.maxBatchWait = value;
      return this;
    }

    public Builder learningRate(double value) {
      this.learningRate = value;
      return this;
    }

    public Builder replayRatio(int value) {
      this.replayRatio = value;
      return this;
    }

    public Builder windowSize(int value) {
      this.windowSize = value;
      return this;
    }

    public Builder checkpointEverySteps(int value) {
      this.checkpointEverySteps = value;
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public Builder maxPollRecords(int value) {
      this.maxPollRecords = value;
      return this;
    }

    public Builder highWaterMark(int value) {
      this.highWaterMark = value;
      return this;
    }

    public Builder progressInterval(Duration value) {
      this.progressInterval = value;
      return this;
    }

    public Builder victimModelId(String value) {
      this.victimModelId = value;
      return this;
    }

    public Builder recipe(RecipeSettings value) {
      this.recipe = value;
      return this;
    }

    public Builder unlabelledWeight(double value) {
      this.unlabelledWeight = value;
      return this;
    }

    public Builder clientOverrides(Map<String, String> value) {
      this.clientOverrides = value;
      return this;
    }

    public Builder modelTrust(ModelTrust value) {
      this.modelTrust = value;
      return this;
    }

    public BeneficiaryConfig build() {
      return new BeneficiaryConfig(bootstrapServers, topics, groupId, checkpointDir, modelId, architecture, batchSize, maxBatchWait, learningRate, replayRatio, windowSize, checkpointEverySteps, seed, maxPollRecords, highWaterMark, progressInterval, victimModelId, recipe, unlabelledWeight, clientOverrides, modelTrust);
    }
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

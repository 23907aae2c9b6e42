package dev.sieve.trainer.replay;

import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.wire.ClientSecrets;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a replay needs to know.
 *
 * @param bootstrapServers the cluster
 * @param topics the pipeline's topics: samples is read, victim-models names the Victim, clean-models
 *     receives the Beneficiary with {@code publish}
 * @param clientOverrides Kafka client settings (security) applied to every client; they cannot
 *     switch off what keeps a replay apart from the live pipeline (no group, no commits, read_committed)
 * @param range which part of the samples topic to re-score
 * @param into {@link #LIVE} for the live credible/quarantine/dead-letter topics, else the name of
 *     the replay outputs {@code <prefix>replay.NAME.*}
 * @param victimModelId the Victim's model id on victim-models
 * @param victimVersion the Victim version to score with, or null for the newest on the topic
 * @param filter what a valid sample looks like (shape, classes, size limit), the scoring batch
 *     size and the duplicate window, as the live filter has them
 * @param train whether to train a Beneficiary on the replayed verdicts afterwards
 * @param checkpointDir where the Beneficiary's checkpoint is written
 * @param beneficiaryModelId the Beneficiary's model id in its checkpoint (and on clean-models)
 * @param plan the Beneficiary's epochs
 * @param recipe the Beneficiary's training recipe
 * @param seed seeds the Beneficiary's initial weights and its sample order
 * @param publish announce the Beneficiary on clean-models (otherwise only the checkpoint is written)
 * @param trust which Victim versions may score (checkpoint root, limits, signing key); its key
 *     also signs the Beneficiary when it is published
 */
public record ReplayConfig(
    String bootstrapServers,
    TopicNames topics,
    Map<String, String> clientOverrides,
    ReplayRange range,
    String into,
    String victimModelId,
    Long victimVersion,
    FilterConfig filter,
    boolean train,
    Path checkpointDir,
    String beneficiaryModelId,
    BeneficiarySchedule.Plan plan,
    RecipeSettings recipe,
    long seed,
    boolean publish,
    ModelTrust trust) {

  /** {@code --into live}: the live pipeline's own output topics. */
  public static final String LIVE = "live";
  public static final String DEFAULT_INTO = "default";
  public static final String DEFAULT_BENEFICIARY_MODEL_ID = "beneficiary-replay";
  /** 2 mix + 1 suppression epochs: the budget docs/evaluation.md measured the recipe on. */
  public static final BeneficiarySchedule.Plan DEFAULT_PLAN = new BeneficiarySchedule.Plan(2, 1,
      BeneficiarySchedule.Plan.defaults().lambdaEarly(), BeneficiarySchedule.Plan.defaults().lambdaLate());

  public ReplayConfig {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("ReplayConfig.bootstrapServers must be set, e.g. localhost:9092");
    }
    Objects.requireNonNull(topics, "topics");
    clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(trust, "trust");
    if (into == null || into.isBlank()) {
      throw new IllegalArgumentException("--into is empty; expected 'live' or a replay name such as " + DEFAULT_INTO);
    }
    if (!into.equals(LIVE)) {
      topics.replay(into); // checks the name
    }
    if (victimModelId == null || victimModelId.isBlank()) {
      throw new IllegalArgumentException("--victim-model-id is empty; expected the Victim's model id, e.g. victim");
    }
    if (victimVersion != null && victimVersion < 0) {
      throw new IllegalArgumentException("--victim-version " + victimVersion + " is negative; expected a published version");
    }
    if (train) {
      Objects.requireNonNull(checkpointDir, "checkpointDir");
      Objects.requireNonNull(plan, "plan");
      Objects.requireNonNull(recipe, "recipe");
      if (plan.mixEpochs() + plan.suppressionEpochs() == 0) {
        throw new IllegalArgumentException("--mix-epochs and --suppression-epochs are both 0; expected at least one "
            + "epoch, or --no-train to skip the Beneficiary");
      }
      if (beneficiaryModelId == null || !beneficiaryModelId.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("--model-id '" + beneficiaryModelId + "' must be [A-Za-z0-9._-]+ "
            + "(it names the checkpoint file)");
      }
    }
    if (publish && !train) {
      throw new IllegalArgumentException("--publish announces the replayed Beneficiary, but --no-train trains none");
    }
  }

  /** Clears the secrets in {@link #clientOverrides}: this record is logged. */
  @Override
  public String toString() {
    return "ReplayConfig[bootstrapServers=" + bootstrapServers + ", topics=" + topics + ", clientOverrides="
        + ClientSecrets.redact(clientOverrides) + ", range=" + range + ", into=" + into + ", victimModelId="
        + victimModelId + ", victimVersion=" + victimVersion + ", filter=" + filter + ", train=" + train
        + ", checkpointDir=" + checkpointDir + ", beneficiaryModelId=" + beneficiaryModelId + ", plan=" + plan
        + ", recipe=" + recipe + ", seed=" + seed + ", publish=" + publish + ", trust=" + trust + "]";
  }

  /** Where the verdicts go. */
  public TopicNames outputs() {
    return into.equals(LIVE) ? topics : topics.replay(into);
  }

  /** A builder holding this record's values, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.topics = topics;
    b.clientOverrides = clientOverrides;
    b.range = range;
    b.into = into;
    b.victimModelId = victimModelId;
    b.victimVersion = victimVersion;
    b.filter = filter;
    b.train = train;
    b.checkpointDir = checkpointDir;
    b.beneficiaryModelId = beneficiaryModelId;
    b.plan = plan;
    b.recipe = recipe;
    b.seed = seed;
    b.publish = publish;
    b.trust = trust;
    return b;
  }

  /** Every field of a {@link ReplayConfig}; {@link #build} checks them as the constructor does. */
  public static final class Builder {
    private String bootstrapServers;
    private TopicNames topics;
    private Map<String, String> clientOverrides;
    private ReplayRange range;
    private String into;
    private String victimModelId;
    private Long victimVersion;
    private FilterConfig filter;
    private boolean train;
    private Path checkpointDir;
    private String beneficiaryModelId;
    private BeneficiarySchedule.Plan plan;
    private RecipeSettings recipe;
    private long seed;
    private boolean publish;
    private ModelTrust trust;

    private Builder() {}

    public Builder bootstrapServers(String value) {
      this.bootstrapServers = value;
      return this;
    }

    public Builder topics(TopicNames value) {
      this.topics = value;
      return this;
    }

    public Builder clientOverrides(Map<String, String> value) {
      this.clientOverrides = value;
      return this;
    }

    public Builder range(ReplayRange value) {
      this.range = value;
      return this;
    }

    public Builder into(String value) {
      this.into = value;
      return this;
    }

    public Builder victimModelId(String value) {
      this.victimModelId = value;
      return this;
    }

    public Builder victimVersion(Long value) {
      this.victimVersion = value;
      return this;
    }

    public Builder filter(FilterConfig value) {
      this.filter = value;
      return this;
    }

    public Builder train(boolean value) {
      this.train = value;
      return this;
    }

    public Builder checkpointDir(Path value) {
      this.checkpointDir = value;
      return this;
    }

    public Builder beneficiaryModelId(String value) {
      this.beneficiaryModelId = value;
      return this;
    }

    public Builder plan(BeneficiarySchedule.Plan value) {
      this.plan = value;
      return this;
    }

    public Builder recipe(RecipeSettings value) {
      this.recipe = value;
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public Builder publish(boolean value) {
      this.publish = value;
      return this;
    }

    public Builder trust(ModelTrust value) {
      this.trust = value;
      return this;
    }

    public ReplayConfig build() {
      return new ReplayConfig(bootstrapServers, topics, clientOverrides, range, into, victimModelId,
          victimVersion, filter, train, checkpointDir, beneficiaryModelId, plan, recipe,
          seed, publish, trust);
    }
  }
}

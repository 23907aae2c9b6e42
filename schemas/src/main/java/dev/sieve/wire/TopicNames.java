package dev.sieve.wire;

/**
 * The names of Sieve's topics. All share one prefix so that several pipelines (or tests) can
 * share a cluster without seeing each other's data.
 */
public record TopicNames(String prefix) {

  public static final String DEFAULT_PREFIX = "sieve.";

  public TopicNames {
    if (prefix == null) {
      throw new IllegalArgumentException("topic prefix must not be null (use \"\" for none)");
    }
  }

  public static TopicNames defaults() {
    return new TopicNames(DEFAULT_PREFIX);
  }

  /** Incoming labeled samples (LabeledSample). The replay source: long retention. */
  public String samples() {
    return prefix + "samples";
  }

  /** Samples the filter judged credible (Verdict); the Beneficiary trains on these. */
  public String credible() {
    return prefix + "credible";
  }

  /** Samples the filter judged suspect (Verdict). Kept long: people review and replay them. */
  public String quarantine() {
    return prefix + "quarantine";
  }

  /**
   * Credible verdicts taken back (Retraction): a newer Victim version calls suspect a sample an
   * older one released. The Beneficiary drops such samples and unlearns what they taught.
   */
  public String retractions() {
    return prefix + "retractions";
  }

  /** Records that could not be accepted (DeadLetter), each with its reason. */
  public String deadLetter() {
    return prefix + "dead-letter";
  }

  /** Alerts (Alert): a class's quarantine rate jumped, a sign that an attack started. */
  public String alerts() {
    return prefix + "alerts";
  }

  /** People's decisions on quarantined samples (AuditRecord): who released, confirmed or relabelled what, and why. */
  public String audit() {
    return prefix + "audit";
  }

  /**
   * Where {@code sieve replay --into NAME} writes instead of the live outputs: the returned names'
   * {@link #credible()}, {@link #quarantine()} and {@link #deadLetter()} are
   * {@code <prefix>replay.NAME.credible}, {@code .quarantine} and {@code .dead-letter}; a replay
   * uses none of its other topics.
   */
  public TopicNames replay(String name) {
    if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("replay name is '" + name + "'; expected letters, digits, '_' or '-'"
          + " (it becomes part of the topic names " + prefix + "replay.NAME.credible, ...)");
    }
    return new TopicNames(prefix + "replay." + name + ".");
  }

  /** Published Victim versions (ModelVersion), compacted by modelId. */
  public String victimModels() {
    return prefix + "victim-models";
  }

  /** Published Beneficiary (clean model) versions (ModelVersion), compacted by modelId. */
  public String cleanModels() {
    return prefix + "clean-models";
  }
}

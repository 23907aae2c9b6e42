package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Victim versions as the filter's Victim updater publishes them: a real checkpoint of a real
 * network, announced on victim-models with its split in the metrics. The split is chosen by the
 * test, so which samples a re-check moves is known in advance whatever the weights are.
 */
final class VictimVersions {

  static final String MODEL_ID = BeneficiaryConfig.DEFAULT_VICTIM_MODEL_ID;
  /** Every version is signed with it, as the filter's updater signs with the operator's key. */
  static final ModelSigningKey KEY = ModelSigningKey.generate();
  private static final Architecture ARCH = Architecture.FMNIST_CNN_V1;

  private VictimVersions() {}

  /** A split under which every sample of {@code suspectClass} is suspect (score <= 1 always) and no other. */
  static SplitRule classFullySuspect(int suspectClass) {
    double[] thresholds = new double[ARCH.numClasses()];
    Arrays.fill(thresholds, -1);
    thresholds[suspectClass] = 1.0;
    return new SplitRule(0.0, 1.0, thresholds);
  }

  /** What a trainer that reads the versions written to {@code dir} must trust: that directory and {@link #KEY}. */
  static ModelTrust trust(Path dir) {
    return ModelTrust.within(dir).withSigningKey(Optional.of(KEY));
  }

  /** A split that finds nothing suspect in any class. */
  static SplitRule nothingSuspect() {
    double[] thresholds = new double[ARCH.numClasses()];
    Arrays.fill(thresholds, -1);
    return new SplitRule(0.0, 1.0, thresholds);
  }

  static ModelVersion publish(TopicNames topics, Path dir, long version, SplitRule split) {
    return publish(KafkaFixture.bootstrap(), Map.of(), topics, dir, version, split);
  }

  /** As {@link #publish(TopicNames, Path, long, SplitRule)} on another broker, with client settings (security). */
  static ModelVersion publish(String bootstrap, Map<String, String> clientOverrides, TopicNames topics, Path dir,
      long version, SplitRule split) {
    StoredCheckpoint stored = write(dir, version, split);
    try (ModelPublisher publisher = new ModelPublisher(bootstrap, topics.victimModels(), "test-victim-publisher",
        clientOverrides, Optional.of(KEY))) {
      return publisher.announce(stored);
    }
  }

  /** A version whose announced sha256 does not match its file, as after a corrupted write. */
  static ModelVersion publishWithWrongSha256(TopicNames topics, Path dir, long version, SplitRule split) {
    StoredCheckpoint stored = write(dir, version, split);
    try (ModelPublisher publisher = publisher(topics)) {
      return publisher.announce(new StoredCheckpoint(stored.path(), "0".repeat(64), stored.meta()));
    }
  }

  /**
   * A version whose announcement is spoiled before it goes out (a missing file, an unknown
   * architecture, no split): the checkpoint is written as usual, {@code spoil} changes what the
   * ModelVersion says about it.
   */
  static ModelVersion publishSpoiled(TopicNames topics, Path dir, long version, SplitRule split,
      UnaryOperator<StoredCheckpoint> spoil) {
    StoredCheckpoint stored = write(dir, version, split);
    try (ModelPublisher publisher = publisher(topics)) {
      return publisher.announce(spoil.apply(stored));
    }
  }

  /** The same checkpoint written again to a directory beside the trusted one. */
  static StoredCheckpoint writeElsewhere(StoredCheckpoint c) {
    Path elsewhere = c.path().getParent().resolveSibling(c.path().getParent().getFileName() + "-elsewhere");
    try (Network network = Network.create(ARCH, c.meta().version())) {
      return new CheckpointStore(elsewhere).write(c.meta(), network.parameters());
    }
  }

  private static StoredCheckpoint write(Path dir, long version, SplitRule split) {
    try (Network network = Network.create(ARCH, version)) {
      CheckpointMeta meta = new CheckpointMeta(MODEL_ID, version, ARCH.id(), Instant.now(), split.toMetrics(), Map.of());
      return new CheckpointStore(dir).write(meta, network.parameters());
    }
  }

  private static ModelPublisher publisher(TopicNames topics) {
    return new ModelPublisher(KafkaFixture.bootstrap(), topics.victimModels(), "test-victim-publisher", Map.of(),
        Optional.of(KEY));
  }
}

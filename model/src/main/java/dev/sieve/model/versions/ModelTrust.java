package dev.sieve.model.versions;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointException;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.DatasetDescriptor;
import dev.sieve.wire.ModelSigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a reader of a model topic accepts. A {@link ModelVersion} is a message anyone with Write on
 * the topic can send, so before a version decides anything it must show that it comes from
 * Sieve's own publisher (the signature, when a key is configured), that its checkpoint lies inside
 * the root this reader was given (no path outside, no symlink out, no device) and is not larger
 * than {@link #maxCheckpointBytes}, and that its version follows the installed one by at most
 * {@link #maxVersionStep}, so one forged number cannot block every later real version.
 *
 * @param checkpointRoot the directory every published checkpoint must resolve into
 * @param maxCheckpointBytes the largest checkpoint file that is read
 * @param maxVersionStep how far past the installed version a new one may jump
 * @param signingKey when present, versions must carry its valid signature
 * @param dataset the image shape and class count this reader works with: a version built for
 *     another is refused, since its scores would mean nothing for these samples
 */
public record ModelTrust(Path checkpointRoot, long maxCheckpointBytes, long maxVersionStep,
    Optional<ModelSigningKey> signingKey, DatasetDescriptor dataset) {

  /** Far above the small CNN (about 0.1 MB) and a PreAct-ResNet-18 (about 45 MB). */
  public static final long DEFAULT_MAX_CHECKPOINT_BYTES = 512L * 1024 * 1024;
  /** The updater publishes v+1 each round; a restart resumes from its last checkpoint. */
  public static final long DEFAULT_MAX_VERSION_STEP = 1000;

  public ModelTrust {
    Objects.requireNonNull(checkpointRoot, "checkpointRoot must not be null");
    Objects.requireNonNull(signingKey, "signingKey must not be null (use Optional.empty())");
    Objects.requireNonNull(dataset, "dataset must not be null");
    if (maxCheckpointBytes <= 0 || maxCheckpointBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxCheckpointBytes must be in (0, 2 GiB), got " + maxCheckpointBytes);
    }
    if (maxVersionStep < 1) {
      throw new IllegalArgumentException("maxVersionStep must be >= 1, got " + maxVersionStep);
    }
    checkpointRoot = checkpointRoot.toAbsolutePath().normalize();
  }

  /** For Fashion-MNIST's shape, the default data set. */
  public ModelTrust(Path checkpointRoot, long maxCheckpointBytes, long maxVersionStep,
      Optional<ModelSigningKey> signingKey) {
    this(checkpointRoot, maxCheckpointBytes, maxVersionStep, signingKey, DatasetDescriptor.FASHION_MNIST);
  }

  /** Checkpoints under {@code checkpointRoot}, default limits, no signing key, Fashion-MNIST's shape. */
  public static ModelTrust within(Path checkpointRoot) {
    return new ModelTrust(checkpointRoot, DEFAULT_MAX_CHECKPOINT_BYTES, DEFAULT_MAX_VERSION_STEP, Optional.empty());
  }

  public ModelTrust withSigningKey(Optional<ModelSigningKey> key) {
    return new ModelTrust(checkpointRoot, maxCheckpointBytes, maxVersionStep, key, dataset);
  }

  public ModelTrust withLimits(long maxBytes, long maxStep) {
    return new ModelTrust(checkpointRoot, maxBytes, maxStep, signingKey, dataset);
  }

  public ModelTrust withDataset(DatasetDescriptor value) {
    return new ModelTrust(checkpointRoot, maxCheckpointBytes, maxVersionStep, signingKey, value);
  }

  /**
   * The checks that need no file: the version number against the one installed (if any), the
   * signature, and the shape the version declares against this reader's data set. Empty when the
   * version may be loaded; else why not.
   */
  public Optional<String> refusal(ModelVersion version, Optional<Long> installed) {
    if (version.getVersion() < 0) {
      return Optional.of("version " + version.getVersion() + " is negative");
    }
    if (installed.isPresent()) {
      long current = installed.get();
      if (version.getVersion() <= current) {
        return Optional.of("version " + version.getVersion() + " is not newer than the installed v" + current);
      }
      if (version.getVersion() - current > maxVersionStep) {
        return Optional.of("version " + version.getVersion() + " jumps " + (version.getVersion() - current)
            + " past the installed v" + current + "; at most " + maxVersionStep + " is accepted (--max-version-step)");
      }
    }
    Optional<String> unsigned = signingKey.flatMap(key -> key.refusal(version));
    return unsigned.isPresent() ? unsigned : dataset.refusal(version);
  }

  /**
   * Loads a published Victim version that this trust accepts ({@link #refusal} has been asked
   * first, by the caller that knows the installed version). The checkpoint is read inside
   * the trusted root and must hash to the published sha256; its own header, which that hash
   * covers, must name the same model, version and a known architecture, and holds the split. The
   * message's metrics are a copy: if they disagree with the checkpoint's split the version is
   * refused, since no honest publisher sends that. Anything else throws with the reason; nothing
   * is left open.
   */
  public VictimModel load(ModelVersion version) {
    Checkpoint checkpoint = CheckpointStore.readWithin(checkpointRoot, version.getCheckpointUri(),
        version.getSha256(), maxCheckpointBytes);
    CheckpointMeta meta = checkpoint.meta();
    String where = "checkpoint " + version.getCheckpointUri();
    if (!meta.modelId().equals(version.getModelId()) || meta.version() != version.getVersion()) {
      throw new CheckpointException(where + " holds " + meta.modelId() + " v" + meta.version()
          + " but the ModelVersion says " + version.getModelId() + " v" + version.getVersion());
    }
    if (!meta.architecture().equals(version.getArchitecture())) {
      throw new CheckpointException(where + " holds architecture " + meta.architecture()
          + " but the ModelVersion says " + version.getArchitecture());
    }
    Architecture architecture = Architecture.byId(meta.architecture());
    if (!architecture.fits(dataset) || !DatasetDescriptor.declaredShape(version).equals(architecture.describeShape())) {
      throw new CheckpointException(where + " holds architecture " + meta.architecture() + " for "
          + architecture.describeShape() + ", the ModelVersion declares " + DatasetDescriptor.declaredShape(version)
          + ", and this reader's data set is " + dataset.describeShape() + ": all three must agree");
    }
    SplitRule split = SplitRule.fromMetrics(meta.metrics(), architecture.numClasses());
    disagreement(split.toMetrics(), version.getMetrics()).ifPresent(why -> {
      throw new CheckpointException(where + ": the ModelVersion's metrics disagree with the split in the checkpoint ("
          + why + "); routing is decided by the checkpoint, and no honest publisher sends a different copy");
    });
    return victim(checkpoint, architecture, split, meta.modelId(), meta.version());
  }

  /** Version of the model loaded by {@link #loadInitial}: below every version the Victim updater publishes (1, 2, ...). */
  public static final long INITIAL_VERSION = 0;

  /**
   * Loads a checkpoint the operator names on the command line ({@code sieve stream --initial-victim})
   * as the Victim the filter judges with until the first published version replaces it. It goes
   * through the same checks as a published version, except the ones only a message needs: the
   * file is the operator's own choice, so it may lie outside the checkpoint root and carries no
   * signature, but it must be a complete checkpoint (its {@code .sha256} sidecar matches), no
   * larger than {@link #maxCheckpointBytes}, and hold the {@code expected} architecture.
   *
   * <p>It is installed as version {@value #INITIAL_VERSION} whatever its header says, so the
   * updater's first version (v1) is newer and replaces it, and re-judges what it released (the
   * retraction window). Its model id names where it came from ({@code initial-<model>-v<version>}),
   * so every verdict it decides says so. A checkpoint with a split (a Victim updater's) judges with
   * that split; one without (a Beneficiary's, a replay's) judges with {@link SplitRule#none}: it
   * calls nothing suspect, because an entropy split is only meaningful for the weights it was
   * fitted on, and a clean model is not unusually certain on poisoned samples anyway.
   *
   * @throws CheckpointException saying what is wrong: unreadable, incomplete, tampered with,
   *     another architecture, an incomplete split, parameters that do not fit the architecture
   */
  public VictimModel loadInitial(Path file, Architecture expected) {
    String where = "initial Victim checkpoint " + file;
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(where + " cannot be used: " + (Files.exists(file) ? "it is not a regular file"
          : "no such file"));
    }
    Checkpoint checkpoint;
    try {
      StoredCheckpoint stored = CheckpointStore.readFile(file);
      Path real = stored.path().toRealPath();
      checkpoint = CheckpointStore.readWithin(real.getParent(), real.toString(), stored.sha256(), maxCheckpointBytes);
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException(where + " cannot be used: " + e.getMessage(), e);
    }
    CheckpointMeta meta = checkpoint.meta();
    Architecture held;
    try {
      held = Architecture.byId(meta.architecture());
    } catch (IllegalArgumentException e) {
      held = null; // unknown to this build: refused below like any other architecture
    }
    if (!expected.equals(held)) {
      throw new CheckpointException(where + " holds " + meta.modelId() + " v" + meta.version() + " of architecture '"
          + meta.architecture() + "', but the filter's Victim is '" + expected.id() + "'");
    }
    SplitRule split;
    try {
      split = SplitRule.carriedBy(meta.metrics()) ? SplitRule.fromMetrics(meta.metrics(), expected.numClasses())
          : SplitRule.none(expected.numClasses());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(where + " carries an incomplete split: " + e.getMessage(), e);
    }
    try {
      return victim(checkpoint, expected, split, "initial-" + meta.modelId() + "-v" + meta.version(), INITIAL_VERSION);
    } catch (RuntimeException e) {
      throw new CheckpointException(where + ": its parameters do not fit architecture '" + expected.id() + "': "
          + e.getMessage(), e);
    }
  }

  /** The one place a checkpoint becomes a Victim, for a published version and an initial one alike. */
  private static VictimModel victim(Checkpoint checkpoint, Architecture architecture, SplitRule split, String modelId,
      long version) {
    Network network = Network.fromParameters(architecture, checkpoint.parameters());
    return new VictimModel(modelId, version, network, split);
  }

  private static Optional<String> disagreement(Map<String, Double> fromCheckpoint, Map<String, Double> inMessage) {
    if (inMessage == null) {
      return Optional.empty();
    }
    for (Map.Entry<String, Double> e : new TreeMap<>(fromCheckpoint).entrySet()) {
      Double claimed = inMessage.get(e.getKey());
      if (claimed != null && Double.doubleToLongBits(claimed) != Double.doubleToLongBits(e.getValue())) {
        return Optional.of(e.getKey() + " is " + claimed + " in the message, " + e.getValue() + " in the checkpoint");
      }
    }
    return Optional.empty();
  }
}

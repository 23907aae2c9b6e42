package dev.sieve.model.scoring;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointException;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One published Victim version, loaded: its network and the split that was fitted for exactly
 * these weights. The stream app scores with it, the Beneficiary re-checks its window with it;
 * both load it through {@link #load}, so both refuse the same versions for the same reasons.
 * Closing it releases the network.
 *
 * @param modelId the Victim's model id, as published
 * @param version the published version
 * @param network the Victim's weights
 * @param split how this version tells suspect samples from credible ones
 */
public record VictimModel(String modelId, long version, Network network, SplitRule split) implements Victim {

  public VictimModel {
    Objects.requireNonNull(modelId, "modelId must not be null");
    Objects.requireNonNull(network, "network must not be null");
    Objects.requireNonNull(split, "split must not be null");
  }

  /**
   * Loads a published version that {@code trust} accepts ({@link ModelTrust#refusal} has been
   * asked first, by the follower that knows the installed version). The checkpoint is read inside
   * the trusted root and must hash to the published sha256; its own header, which that hash
   * covers, must name the same model, version and a known architecture, and holds the split. The
   * message's metrics are a copy: if they disagree with the checkpoint's split the version is
   * refused, since no honest publisher sends that. Anything else throws with the reason; nothing
   * is left open.
   */
  public static VictimModel load(ModelVersion version, ModelTrust trust) {
    Checkpoint checkpoint = CheckpointStore.readWithin(trust.checkpointRoot(), version.getCheckpointUri(),
        version.getSha256(), trust.maxCheckpointBytes());
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
    SplitRule split = SplitRule.fromMetrics(meta.metrics(), architecture.numClasses());
    disagreement(split.toMetrics(), version.getMetrics()).ifPresent(why -> {
      throw new CheckpointException(where + ": the ModelVersion's metrics disagree with the split in the checkpoint ("
          + why + "); routing is decided by the checkpoint, and no honest publisher sends a different copy");
    });
    Network network = Network.fromParameters(architecture, checkpoint.parameters());
    return new VictimModel(meta.modelId(), meta.version(), network, split);
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

  @Override
  public double[] entropies(List<LabeledSample> batch) {
    return network.entropies(batch);
  }

  /** This version's decision on a sample of class {@code label} whose entropy under it is {@code entropy}. */
  @Override
  public Judgement judge(double entropy, int label) {
    return split.judge(entropy, label, version);
  }

  @Override
  public void close() {
    network.close();
  }
}

package dev.sieve.model.checkpoint;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.split.Judgement;
import dev.sieve.model.split.SplitRule;
import dev.sieve.schemas.ModelVersion;
import java.util.Objects;

/**
 * One published Victim version, loaded: its network and the split that was fitted for exactly
 * these weights. The stream app scores with it, the Beneficiary re-checks its window with it;
 * both load it through {@link #load}, so both refuse the same broken versions for the same
 * reasons. Closing it releases the network.
 *
 * @param modelId the Victim's model id, as published
 * @param version the published version
 * @param network the Victim's weights
 * @param split how this version tells suspect samples from credible ones
 */
public record VictimModel(String modelId, long version, Network network, SplitRule split) implements AutoCloseable {

  public VictimModel {
    Objects.requireNonNull(modelId, "modelId must not be null");
    Objects.requireNonNull(network, "network must not be null");
    Objects.requireNonNull(split, "split must not be null");
  }

  /**
   * Loads a published version: the architecture must be known, the version must carry a
   * complete split, and the checkpoint must exist, hash to the published sha256 and hold the
   * architecture the version names. Anything else throws with the reason; nothing is left open.
   */
  public static VictimModel load(ModelVersion version) {
    Architecture architecture = Architecture.byId(version.getArchitecture());
    SplitRule split = SplitRule.fromMetrics(version.getMetrics(), architecture.numClasses());
    Checkpoint checkpoint = CheckpointStore.read(version.getCheckpointUri(), version.getSha256());
    if (!checkpoint.meta().architecture().equals(architecture.id())) {
      throw new IllegalArgumentException("checkpoint " + version.getCheckpointUri() + " holds architecture "
          + checkpoint.meta().architecture() + " but the ModelVersion says " + architecture.id());
    }
    Network network = Network.fromParameters(architecture, checkpoint.parameters());
    return new VictimModel(version.getModelId(), version.getVersion(), network, split);
  }

  /** This version's decision on a sample of class {@code label} whose entropy under it is {@code entropy}. */
  public Judgement judge(double entropy, int label) {
    return split.judge(entropy, label, version);
  }

  @Override
  public void close() {
    network.close();
  }
}

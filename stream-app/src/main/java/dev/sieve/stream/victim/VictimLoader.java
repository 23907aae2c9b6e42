package dev.sieve.stream.victim;

import dev.sieve.model.split.SplitRule;
import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.schemas.ModelVersion;

/**
 * Turns a published {@link ModelVersion} into a scoring {@link DjlVictim}: the architecture must
 * be known, the checkpoint must exist and hash to the published sha256, and the version must
 * carry its split. Anything else is refused with a reason; the caller keeps the old version.
 */
public final class VictimLoader {

  private VictimLoader() {}

  public static DjlVictim load(ModelVersion version) {
    Architecture architecture = Architecture.byId(version.getArchitecture());
    SplitRule split = SplitRule.fromMetrics(version.getMetrics(), architecture.numClasses());
    Checkpoint checkpoint = CheckpointStore.read(version.getCheckpointUri(), version.getSha256());
    if (!checkpoint.meta().architecture().equals(architecture.id())) {
      throw new IllegalArgumentException("checkpoint " + version.getCheckpointUri() + " holds architecture "
          + checkpoint.meta().architecture() + " but the ModelVersion says " + architecture.id());
    }
    Network network = Network.fromParameters(architecture, checkpoint.parameters());
    return new DjlVictim(version.getModelId(), version.getVersion(), network, split);
  }
}

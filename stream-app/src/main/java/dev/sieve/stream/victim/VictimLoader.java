package dev.sieve.stream.victim;

import dev.sieve.model.checkpoint.VictimModel;
import dev.sieve.schemas.ModelVersion;

/**
 * Turns a published {@link ModelVersion} into a scoring {@link DjlVictim}. The checks (known
 * architecture, checkpoint present and matching its sha256, a complete split) are
 * {@link VictimModel#load}'s, shared with the Beneficiary; a refused version throws with the
 * reason and the caller keeps the old version.
 */
public final class VictimLoader {

  private VictimLoader() {}

  public static DjlVictim load(ModelVersion version) {
    VictimModel loaded = VictimModel.load(version);
    return new DjlVictim(loaded.modelId(), loaded.version(), loaded.network(), loaded.split());
  }
}

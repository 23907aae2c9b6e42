package dev.sieve.model.defense.detox;

import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.versions.ModelPublisher;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How a detoxified model is stored: as model {@code <source>-<method>} (for example {@code
 * beneficiary-d3}) with the source's version number, so that each detoxified checkpoint names the
 * one it came from. Its metrics are the source's plus the method's report under {@code detox.}.
 * The offsets are the source's: the detoxified model has seen the same records.
 */
public final class DetoxCheckpoints {

  private DetoxCheckpoints() {}

  public static String modelId(String sourceModelId, DetoxMethod method) {
    return sourceModelId + "-" + method.id();
  }

  /** Writes the detoxified checkpoint to {@code store}; with a {@code publisher}, announces it as well. */
  public static StoredCheckpoint write(CheckpointStore store, CheckpointMeta source, DetoxResult result,
      int cleanSamples, Optional<ModelPublisher> publisher) {
    Map<String, Double> metrics = new TreeMap<>(source.metrics());
    result.report().forEach((k, v) -> metrics.put("detox." + k, v));
    metrics.put("detox.cleanSamples", (double) cleanSamples);
    metrics.put("detox.seconds", result.seconds());
    metrics.put("detox.sourceVersion", (double) source.version());
    CheckpointMeta meta = new CheckpointMeta(modelId(source.modelId(), result.method()), source.version(),
        source.architecture(), Instant.now(), metrics, source.offsets());
    byte[] parameters = result.network().parameters();
    return publisher.map(p -> p.writeAndAnnounce(store, meta, parameters).checkpoint())
        .orElseGet(() -> store.write(meta, parameters));
  }
}

package dev.sieve.model.checkpoint;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a checkpoint says about itself: which model and version, which architecture, when, how
 * good it was, and (for a stream trainer) the input offsets it had consumed, so that a restart
 * resumes exactly where this checkpoint left off.
 *
 * @param offsets consumed positions keyed "topic:partition" (the next offset to read)
 */
public record CheckpointMeta(
    String modelId,
    long version,
    String architecture,
    Instant createdAt,
    Map<String, Double> metrics,
    Map<String, Long> offsets) {

  public CheckpointMeta {
    if (modelId == null || modelId.isBlank() || !modelId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("modelId must be non-empty [A-Za-z0-9._-], got '" + modelId + "'");
    }
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, got " + version);
    }
    metrics = Map.copyOf(new TreeMap<>(metrics == null ? Map.of() : metrics));
    offsets = Map.copyOf(new TreeMap<>(offsets == null ? Map.of() : offsets));
  }

  public static String offsetKey(String topic, int partition) {
    return topic + ":" + partition;
  }
}

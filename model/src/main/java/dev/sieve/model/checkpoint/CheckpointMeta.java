package dev.sieve.model.checkpoint;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

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

  /** {@code positions} keyed as {@link #offsets} are: "topic:partition". */
  public static Map<String, Long> offsetsOf(Map<TopicPartition, Long> positions) {
    Map<String, Long> out = new TreeMap<>();
    positions.forEach((tp, offset) -> out.put(offsetKey(tp.topic(), tp.partition()), offset));
    return out;
  }

  /**
   * {@link #offsets} keyed by partition again: the positions a restart seeks to.
   *
   * @throws CheckpointException naming this checkpoint and the key, for a key that is not
   *     "topic:partition"; resuming without that partition's offset would retrain or skip it
   */
  public Map<TopicPartition, Long> positions() {
    Map<TopicPartition, Long> out = new HashMap<>();
    offsets.forEach((key, offset) -> out.put(partitionOf(key), offset));
    return out;
  }

  private TopicPartition partitionOf(String key) {
    int colon = key.lastIndexOf(':');
    if (colon > 0) {
      try {
        int partition = Integer.parseInt(key.substring(colon + 1));
        if (partition >= 0) {
          return new TopicPartition(key.substring(0, colon), partition);
        }
      } catch (NumberFormatException e) {
        // reported below, with the key
      }
    }
    throw new CheckpointException("checkpoint " + modelId + " v" + version + " has offset key '" + key
        + "', expected '<topic>:<partition>' with a partition number >= 0");
  }
}

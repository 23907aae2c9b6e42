package dev.sieve.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CheckpointMetaTest {

  private static CheckpointMeta withOffsets(Map<String, Long> offsets) {
    return new CheckpointMeta("beneficiary", 7, "fmnist-cnn-v1", Instant.parse("2026-01-01T00:00:00Z"), Map.of(),
        offsets);
  }

  @Test
  void positionsAreTheOffsetsKeyedByPartitionAgain() {
    Map<TopicPartition, Long> positions = Map.of(new TopicPartition("sieve.credible", 0), 12L,
        new TopicPartition("sieve.credible", 1), 3L, new TopicPartition("sieve.quarantine", 0), 40L);
    CheckpointMeta meta = withOffsets(CheckpointMeta.offsetsOf(positions));
    assertEquals(Map.of("sieve.credible:0", 12L, "sieve.credible:1", 3L, "sieve.quarantine:0", 40L), meta.offsets());
    assertEquals(positions, meta.positions());
  }

  @Test
  void aMalformedOffsetKeyIsAnErrorNamingTheCheckpointAndTheKey() {
    for (String key : new String[] {"sieve.credible", "sieve.credible:", ":0", "sieve.credible:x", "sieve.credible:-1"}) {
      CheckpointMeta meta = withOffsets(Map.of("sieve.credible:0", 1L, key, 2L));
      CheckpointException e = assertThrows(CheckpointException.class, meta::positions, key);
      assertTrue(e.getMessage().contains("beneficiary v7") && e.getMessage().contains("'" + key + "'"),
          e.getMessage());
    }
  }
}

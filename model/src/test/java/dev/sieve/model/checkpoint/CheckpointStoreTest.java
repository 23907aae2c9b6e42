package dev.sieve.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  @TempDir Path dir;

  private static CheckpointMeta meta(long version) {
    return new CheckpointMeta("beneficiary", version, "fmnist-cnn-v1", Instant.parse("2026-01-01T00:00:00Z"),
        Map.of("loss", 0.25), Map.of("sieve.credible:0", 100L * version));
  }

  @Test
  void writesAndReadsBackWithOffsetsAndMetrics() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    byte[] params = {1, 2, 3, 4, 5};
    StoredCheckpoint stored = store.write(meta(3), params);
    assertEquals(64, stored.sha256().length());
    Checkpoint back = CheckpointStore.read(stored.uri().toString(), stored.sha256());
    assertArrayEquals(params, back.parameters());
    assertEquals(meta(3), back.meta());
    assertEquals(300L, back.meta().offsets().get("sieve.credible:0"));
    assertEquals(stored.path(), store.latest("beneficiary").orElseThrow().path());
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temp files left");
    }
  }

  @Test
  void truncatedOrTamperedCheckpointIsRefusedAndLatestFallsBack() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    StoredCheckpoint good = store.write(meta(1), new byte[1000]);
    StoredCheckpoint truncated = store.write(meta(2), new byte[1000]);
    byte[] bytes = Files.readAllBytes(truncated.path());
    Files.write(truncated.path(), Arrays.copyOf(bytes, bytes.length / 2));

    CheckpointException e = assertThrows(CheckpointException.class,
        () -> CheckpointStore.read(truncated.path().toString(), truncated.sha256()));
    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    assertEquals(good.path(), store.latest("beneficiary").orElseThrow().path());

    StoredCheckpoint tampered = store.write(meta(3), new byte[1000]);
    byte[] t = Files.readAllBytes(tampered.path());
    t[t.length - 1] ^= 1;
    Files.write(tampered.path(), t);
    assertEquals(good.path(), store.latest("beneficiary").orElseThrow().path());
  }

  @Test
  void aCheckpointWithoutItsSidecarIsIncompleteAndIgnored() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    StoredCheckpoint first = store.write(meta(1), new byte[10]);
    StoredCheckpoint second = store.write(meta(2), new byte[10]);
    Files.delete(second.path().resolveSibling(second.path().getFileName() + ".sha256"));
    assertEquals(first.path(), store.latest("beneficiary").orElseThrow().path());
    assertFalse(store.latest("victim").isPresent());
  }

  @Test
  void refusesUnknownUriSchemesAndBadIds() {
    assertThrows(CheckpointException.class, () -> CheckpointStore.read("s3://bucket/x.ckpt", "00"));
    assertThrows(CheckpointException.class, () -> CheckpointStore.read(dir.resolve("missing.ckpt").toString(), "00"));
    assertThrows(IllegalArgumentException.class,
        () -> new CheckpointMeta("../evil", 1, "a", Instant.EPOCH, Map.of(), Map.of()));
  }
}

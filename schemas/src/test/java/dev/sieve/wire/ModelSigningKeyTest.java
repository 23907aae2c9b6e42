package dev.sieve.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSigningKeyTest {

  private static final String SECRET = "c2lldmUtdGVzdC1rZXktb2YtMzItYnl0ZXMtLS0tLS0=";
  private static final ModelSigningKey KEY = ModelSigningKey.of(SECRET);

  private static ModelVersion version() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("split.threshold.0", 0.2);
    metrics.put("split.entropyMin", 0.001);
    return ModelVersion.newBuilder().setModelId("victim").setVersion(4).setArchitecture("fmnist-cnn-v1")
        .setCheckpointUri("file:///var/lib/sieve/victim/victim-v0000000004.ckpt").setSha256("ab".repeat(32))
        .setMetrics(metrics).setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
  }

  @Test
  void aSignedVersionVerifiesAndSurvivesTheWire() {
    ModelVersion signed = KEY.sign(version());
    assertTrue(signed.getSignature().startsWith("hmac-sha256:" + KEY.id() + ":"), signed.getSignature());
    assertEquals(Optional.empty(), KEY.refusal(signed));
    ModelVersion wire = AvroSerde.modelVersion().decode(AvroSerde.modelVersion().encode(signed));
    assertEquals(Optional.empty(), KEY.refusal(wire), "the map order after decoding must not matter");
  }

  @Test
  void changingAnyFieldBreaksTheSignature() {
    ModelVersion signed = KEY.sign(version());
    Map<String, UnaryOperator<ModelVersion.Builder>> edits = Map.of(
        "modelId", b -> b.setModelId("victim2"),
        "version", b -> b.setVersion(Long.MAX_VALUE),
        "architecture", b -> b.setArchitecture("other"),
        "checkpointUri", b -> b.setCheckpointUri("file:///dev/zero"),
        "sha256", b -> b.setSha256("cd".repeat(32)),
        "metrics", b -> b.setMetrics(Map.of("split.threshold.0", -1.0, "split.entropyMin", 0.001)),
        "createdAt", b -> b.setCreatedAt(Instant.EPOCH),
        "dataset", b -> b.setDataset(DatasetDescriptor.of(3, 32, 32, 10).toShape()));
    edits.forEach((field, edit) -> {
      ModelVersion forged = edit.apply(ModelVersion.newBuilder(signed)).build();
      String why = KEY.refusal(forged).orElseThrow(() -> new AssertionError(field + " changed but still verifies"));
      assertTrue(why.contains("does not match its content"), field + ": " + why);
    });
  }

  @Test
  void unsignedOtherKeyAndGarbageAreRefusedWithTheirReason() {
    assertTrue(KEY.refusal(version()).orElseThrow().contains("unsigned"));
    ModelSigningKey other = ModelSigningKey.of("another-key-that-is-long-enough-0123");
    String why = KEY.refusal(other.sign(version())).orElseThrow();
    assertTrue(why.contains("signed with key id " + other.id()), why);
    ModelVersion garbage = ModelVersion.newBuilder(version()).setSignature("hmac-sha256:" + KEY.id() + ":zz").build();
    assertTrue(KEY.refusal(garbage).orElseThrow().contains("not hexadecimal"));
    ModelVersion scheme = ModelVersion.newBuilder(version()).setSignature("rsa:1:00").build();
    assertTrue(KEY.refusal(scheme).orElseThrow().contains("not of the form"));
  }

  @Test
  void theKeyNeverPrintsAndShortKeysAreRefused(@TempDir Path dir) throws Exception {
    assertFalse(KEY.toString().contains(SECRET), KEY.toString());
    assertTrue(KEY.toString().contains(KEY.id()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSigningKey.of("short"));
    assertTrue(e.getMessage().contains("at least 16 bytes") && !e.getMessage().contains("short"), e.getMessage());
    Path file = dir.resolve("key");
    Files.writeString(file, SECRET + "\n");
    assertEquals(KEY, ModelSigningKey.fromFile(file), "the file's last newline is not part of the key");
    assertEquals(KEY, ModelSigningKey.resolve(file).orElseThrow());
    assertNotEquals(ModelSigningKey.generate(), ModelSigningKey.generate());
  }
}

package dev.sieve.stream.victim;

import static dev.sieve.stream.fuzz.HostileAvro.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.ValuePool;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.model.versions.VictimFollower;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.stream.fuzz.FuzzHeap;
import dev.sieve.stream.fuzz.HostileAvro;
import dev.sieve.stream.fuzz.HostileAvro.Recipe;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.ModelSigningKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzz test of the ModelVersion decode path, {@code AvroSerde.modelVersion().decode}
 * and the checks that need no file ({@link ModelTrust#refusal}: the signature and the version step),
 * which is what {@link VictimFollower} runs on every record of the compacted model topic before it
 * reads any checkpoint.
 *
 * <p><b>Property.</b> For every value, {@code decode} either returns a record, which survives an
 * encode/decode round trip, or throws {@link SerializationException} with a non-blank message;
 * never any other exception and never an {@link Error} (an {@link OutOfMemoryError} from a forged
 * Avro length or map count is a finding). A decoded record is refused, with a reason and without
 * an exception, by a reader holding a signing key the fuzzer does not know.
 *
 * <p><b>Inputs</b> are built as in {@code SampleFuzzTest} (see there, and {@link HostileAvro}): a
 * fuzzer-chosen {@link ModelFields} record encoded by the real ModelVersion builder and serde,
 * then kept, or with one varint forged (the string lengths, the version, the metrics map's block
 * count), or overwritten, inserted into, truncated; or fuzzer bytes behind a valid ModelVersion
 * header; or raw bytes. Seeds are real encodings. Why Jazzer, the heap rule and how to run it:
 * see {@code SampleFuzzTest} and the {@code fuzz-*} executions in {@code stream-app/pom.xml}.
 */
class ModelVersionFuzzTest {

  private static AvroSerde<ModelVersion> serde;
  /** A reader that holds a key no input was signed with. */
  private static final ModelTrust TRUST = ModelTrust.within(Path.of("/var/lib/sieve/victim"))
      .withSigningKey(Optional.of(ModelSigningKey.generate()));
  /** How many inputs decoded and how many were refused: shows in the log how deep the run got. */
  private static final Map<String, Long> OUTCOMES = new TreeMap<>();

  /** What the fuzzer chooses for the base record; nulls are replaced by empty values. */
  record ModelFields(String modelId, long version, String architecture, String checkpointUri, String sha256,
      Map<String, Double> metrics, long createdAt) {}

  @BeforeAll
  static void setUp() {
    FuzzHeap.requireSmallHeap();
    serde = AvroSerde.modelVersion();
  }

  @MethodSource("seeds")
  @DictionaryFile(resourcePath = "/dev/sieve/stream/fuzz/avro-varints.dict")
  @ValuePool(value = "pool", p = 0.2)
  @FuzzTest(maxDuration = "20s")
  void decode(@NotNull Recipe recipe, @NotNull ModelFields fields, long number, int at,
      byte @NotNull @WithLength(max = 4096) [] bytes) {
    byte[] base = serde.encode(model(fields));
    byte[] value = HostileAvro.build(recipe, serde.schema(), base, at, number, bytes);

    ModelVersion decoded;
    try {
      decoded = serde.decode(value);
    } catch (SerializationException e) {
      assertNotNull(e.getMessage(), "SerializationException without a message for value " + hex(value));
      assertFalse(e.getMessage().isBlank(), "SerializationException with a blank message for value " + hex(value));
      OUTCOMES.merge("SerializationException", 1L, Long::sum);
      return;
    } catch (Throwable t) {
      throw new AssertionError("AvroSerde.modelVersion().decode must return a record or throw"
          + " SerializationException, but threw " + t + "\n  value = " + hex(value), t);
    }
    assertNotNull(decoded, "decode returned null for value " + hex(value));
    OUTCOMES.merge("decoded", 1L, Long::sum);
    assertEquals(decoded, serde.decode(serde.encode(decoded)),
        "a decoded ModelVersion must survive a round trip (value " + hex(value) + ")");
    Optional<String> refusal;
    try {
      refusal = TRUST.refusal(decoded, Optional.of(1L));
    } catch (Throwable t) {
      throw new AssertionError("ModelTrust.refusal must answer, but threw " + t + "\n  value = " + hex(value), t);
    }
    assertTrue(refusal.isPresent() && !refusal.get().isBlank(),
        "a version the fuzzer made cannot carry a valid signature by the reader's key: " + hex(value));
  }

  @AfterAll
  static void printOutcomes() {
    System.out.println("ModelVersionFuzzTest outcomes of decode: " + OUTCOMES);
  }

  static ModelVersion model(ModelFields f) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (f.metrics() != null) {
      f.metrics().forEach((k, v) -> {
        if (k != null && v != null) {
          metrics.put(k, v);
        }
      });
    }
    return ModelVersion.newBuilder()
        .setModelId(f.modelId() == null ? "" : f.modelId())
        .setVersion(f.version())
        .setArchitecture(f.architecture() == null ? "" : f.architecture())
        .setCheckpointUri(f.checkpointUri() == null ? "" : f.checkpointUri())
        .setSha256(f.sha256() == null ? "" : f.sha256())
        .setMetrics(metrics)
        .setCreatedAt(Instant.ofEpochMilli(f.createdAt()))
        .build();
  }

  static ModelFields victim(long version) {
    return new ModelFields("victim", version, "fmnist-cnn-v1", "file:///var/lib/sieve/victim/v" + version + ".ckpt",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        Map.of("cleanAccuracy", 0.912, "poisonRecall", 0.87), 1_700_000_000_000L);
  }

  /** Real encodings of published versions, and one of each recipe. */
  static Stream<Arguments> seeds() {
    AvroSerde<ModelVersion> encoder = AvroSerde.modelVersion();
    ModelFields v3 = victim(3);
    ModelFields bare = new ModelFields("beneficiary", 0, "", "", "", Map.of(), 0L);
    ModelFields odd = new ModelFields("victim", Long.MAX_VALUE, "fmnist-cnn-v1", "file:///tmp/x.ckpt", "",
        Map.of("nan", Double.NaN, "inf", Double.POSITIVE_INFINITY), -1L);
    byte[] v3Bytes = encoder.encode(model(v3));
    byte[] v3Body = Arrays.copyOfRange(v3Bytes, HostileAvro.HEADER_LENGTH, v3Bytes.length);
    return Stream.of(
        Arguments.of(Recipe.ENCODED, v3, 0L, 0, new byte[0]),
        Arguments.of(Recipe.ENCODED, bare, 0L, 0, new byte[0]),
        Arguments.of(Recipe.ENCODED, odd, 0L, 0, new byte[0]),
        Arguments.of(Recipe.RAW, v3, 0L, 0, v3Bytes),
        Arguments.of(Recipe.HEADER_THEN_BYTES, v3, 0L, 0, v3Body),
        Arguments.of(Recipe.FORGE_VARINT, v3, 500L, 2, new byte[0]),
        Arguments.of(Recipe.FORGE_VARINT, v3, 3L, 5, new byte[0]),
        Arguments.of(Recipe.REPLACE_VARINT_WITH_BYTES, v3, 0L, 5, new byte[] {0x03, 0x40}),
        Arguments.of(Recipe.OVERWRITE, v3, 0L, 20, new byte[] {(byte) 0xFF, (byte) 0xFF}),
        Arguments.of(Recipe.INSERT, v3, 0L, 1, new byte[] {0x00}),
        Arguments.of(Recipe.TRUNCATE_THEN_BYTES, v3, 0L, 9, new byte[0]));
  }

  /** Values the mutators pick 20 % of the time: small edges and lengths around the limits. */
  static Stream<?> pool() {
    return Stream.concat(Stream.of(0, 1, -1, 2, 5, 6), Stream.of(FuzzHeap.forgedLengths()));
  }
}

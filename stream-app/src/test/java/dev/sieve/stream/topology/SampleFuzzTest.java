package dev.sieve.stream.topology;

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
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.stream.fuzz.FuzzHeap;
import dev.sieve.stream.fuzz.HostileAvro;
import dev.sieve.stream.fuzz.HostileAvro.Recipe;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicNames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzz test of the sample decode-and-validate path, {@link SampleValidator#validate}
 * (which decodes with {@link AvroSerde#labeledSample()}).
 *
 * <p><b>Property.</b> For every key and value, {@code validate} never throws (no exception, no
 * {@link Error}: an {@link OutOfMemoryError} from a forged Avro length is a finding) and returns
 * either {@link Validation.Valid} whose sample really meets every rule (id, shape, label, pixel
 * length, finite FLOAT32 values in [0, 1]) and survives an encode/decode round trip, or
 * {@link Validation.Invalid} with an error class and a non-blank reason.
 *
 * <p><b>Inputs.</b> Random bytes die at the 2-byte marker, so most inputs are built by
 * {@link HostileAvro}: a fuzzer-chosen {@link SampleFields} record is encoded by the real
 * {@link LabeledSample} builder and {@code AvroSerde.labeledSample().encode}, and a fuzzer-chosen
 * {@link Recipe} then keeps it, forges one of its varints (a string or bytes length, the enum index,
 * a map block count) to a fuzzer-chosen number, or overwrites, inserts, truncates; other recipes
 * put fuzzer bytes behind a valid header (C3 01 + the LabeledSample fingerprint), or send raw bytes.
 * The seeds ({@link #seeds()}) are real encodings of valid and invalid samples; the value pool
 * ({@link #pool()}) offers the shape numbers (28, 784, 3136) and lengths around the JVM's and Avro's
 * limits; the dictionary {@code avro-varints.dict} offers the same lengths as raw varints.
 *
 * <p><b>Why Jazzer.</b> Jazzer 0.30.0 ({@code com.code-intelligence:jazzer-junit}, the newest on
 * Maven Central) works here as it is, so the jqwik fallback was not needed: its jar carries the
 * libFuzzer driver for Linux x86-64 (built against glibc 2.17; Debian 12 has 2.36), its agent
 * attaches itself to the surefire JVM on JDK 17, and it runs on the project's JUnit 5.13.4 (it
 * needs 5.9 or newer; the BOM lifts its jupiter-api/params/platform 5.9.0 dependencies to 5.13.4).
 * What it brings over property-based testing: in fuzzing mode it is libFuzzer with coverage and
 * compare instrumentation of {@code dev.sieve} and of Avro's decoding classes, so even the short CI
 * run is coverage-guided (the log's {@code cov:} grows, inputs that reach new code are kept and
 * mutated further) rather than independent random samples.
 *
 * <p><b>How it runs.</b> By default Jazzer only replays seeds and saved findings (regression mode);
 * it fuzzes when {@code JAZZER_FUZZ} is set, and then only the first {@code @FuzzTest} of the JVM.
 * So each target has its own surefire execution in {@code stream-app/pom.xml} ({@code fuzz-sample},
 * {@code fuzz-model-version}) with {@code -DJAZZER_FUZZ=1}, which first replays the findings under
 * {@code src/test/resources/dev/sieve/stream/topology/SampleFuzzTestInputs/validate/} and then
 * fuzzes, bounded by {@code jazzer.max_executions} and {@code jazzer.max_duration} (the Maven
 * properties {@code fuzz.maxExecutions}, 200 000, and {@code fuzz.maxDuration}, 20 s, override this
 * annotation's {@code maxDuration}). The executions run in a 256 MB heap, where a forged length
 * that makes Avro allocate up to 2 GB is an {@link OutOfMemoryError}; in the build's usual 6 GB
 * heap the allocation succeeds, the decoder then hits the end of the input, and the bug passes
 * unseen, so the test skips itself in a large heap ({@link FuzzHeap}). A finding is written to the
 * inputs directory as {@code crash-<sha1>} (Jazzer's encoding of the arguments; the failure
 * message shows the value in hex) and replays in every later run.
 */
class SampleFuzzTest {

  private static final FilterConfig CONFIG = FilterConfig.defaults(TopicNames.defaults());
  private static final int VALUES = CONFIG.height() * CONFIG.width() * CONFIG.channels();

  private static SampleValidator validator;
  private static AvroSerde<LabeledSample> serde;
  /** How many inputs ended in each outcome: shows in the log how deep the run got. */
  private static final Map<String, Long> OUTCOMES = new TreeMap<>();

  /** What the fuzzer chooses for the base record; nulls are replaced by empty values. */
  record SampleFields(String id, String source, int label, int height, int width, int channels,
      PixelEncoding encoding, byte[] pixels, long eventTime, Map<String, String> metadata) {}

  @BeforeAll
  static void setUp() {
    FuzzHeap.requireSmallHeap();
    validator = new SampleValidator(CONFIG);
    serde = AvroSerde.labeledSample();
  }

  @MethodSource("seeds")
  @DictionaryFile(resourcePath = "/dev/sieve/stream/fuzz/avro-varints.dict")
  @ValuePool(value = "pool", p = 0.2)
  @FuzzTest(maxDuration = "20s")
  void validate(byte @WithLength(max = 48) [] key, @NotNull Recipe recipe, @NotNull SampleFields fields,
      long number, int at, byte @NotNull @WithLength(max = 4096) [] bytes) {
    byte[] base = serde.encode(sample(fields));
    byte[] value = HostileAvro.build(recipe, serde.schema(), base, at, number, bytes);

    Validation validation;
    try {
      validation = validator.validate(key, value);
    } catch (Throwable t) {
      throw new AssertionError("SampleValidator.validate must return Valid or Invalid, but threw " + t
          + "\n  key   = " + hex(key) + "\n  value = " + hex(value), t);
    }
    assertNotNull(validation, "validate returned null for value " + hex(value));
    if (validation instanceof Validation.Invalid invalid) {
      assertNotNull(invalid.errorClass(), "Invalid without an error class for value " + hex(value));
      OUTCOMES.merge(invalid.errorClass().name(), 1L, Long::sum);
      assertNotNull(invalid.reason(), "Invalid without a reason for value " + hex(value));
      assertFalse(invalid.reason().isBlank(), "Invalid with a blank reason for value " + hex(value));
    } else {
      assertValid(((Validation.Valid) validation).sample(), value);
      OUTCOMES.merge("Valid", 1L, Long::sum);
    }
  }

  @AfterAll
  static void printOutcomes() {
    System.out.println("SampleFuzzTest outcomes of validate: " + OUTCOMES);
  }

  /** A Valid sample must meet every rule that the validator claims to check. */
  private static void assertValid(LabeledSample sample, byte[] value) {
    String input = " (value " + hex(value) + ")";
    assertNotNull(sample, "Valid without a sample" + input);
    assertFalse(sample.getId().isEmpty(), "Valid sample with an empty id" + input);
    assertEquals(CONFIG.height(), sample.getHeight(), "height" + input);
    assertEquals(CONFIG.width(), sample.getWidth(), "width" + input);
    assertEquals(CONFIG.channels(), sample.getChannels(), "channels" + input);
    assertTrue(sample.getLabel() >= 0 && sample.getLabel() < CONFIG.numClasses(), "label" + input);
    ByteBuffer pixels = sample.getPixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    boolean floats = sample.getEncoding() == PixelEncoding.FLOAT32_LE;
    assertEquals((long) VALUES * (floats ? Float.BYTES : 1), pixels.remaining(), "pixel bytes" + input);
    if (floats) {
      for (int i = pixels.position(); i < pixels.limit(); i += Float.BYTES) {
        float v = pixels.getFloat(i);
        assertTrue(v >= 0f && v <= 1f, "FLOAT32 pixel " + v + " accepted" + input);
      }
    }
    assertEquals(sample, serde.decode(serde.encode(sample)), "a Valid sample must survive a round trip" + input);
  }

  /** The real encoder's view of the fuzzer's fields. */
  static LabeledSample sample(SampleFields f) {
    Map<String, String> metadata = new LinkedHashMap<>();
    if (f.metadata() != null) {
      f.metadata().forEach((k, v) -> {
        if (k != null && v != null) {
          metadata.put(k, v);
        }
      });
    }
    return LabeledSample.newBuilder()
        .setId(f.id() == null ? "" : f.id())
        .setSource(f.source() == null ? "" : f.source())
        .setLabel(f.label())
        .setHeight(f.height())
        .setWidth(f.width())
        .setChannels(f.channels())
        .setEncoding(f.encoding() == null ? PixelEncoding.UINT8 : f.encoding())
        .setPixels(ByteBuffer.wrap(f.pixels() == null ? new byte[0] : f.pixels()))
        .setEventTime(Instant.ofEpochMilli(f.eventTime()))
        .setMetadata(metadata)
        .build();
  }

  static SampleFields uint8(String id, int label) {
    byte[] pixels = new byte[VALUES];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7 + 3);
    }
    return new SampleFields(id, "crowd-worker-17", label, CONFIG.height(), CONFIG.width(), CONFIG.channels(),
        PixelEncoding.UINT8, pixels, 1_700_000_000_000L, Map.of("origin", "seed", "camera", "x100"));
  }

  static SampleFields float32(String id, int label, float special) {
    ByteBuffer pixels = ByteBuffer.allocate(VALUES * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < VALUES; i++) {
      pixels.putFloat(i == VALUES / 2 ? special : (i % 256) / 255f);
    }
    return new SampleFields(id, "scraper", label, CONFIG.height(), CONFIG.width(), CONFIG.channels(),
        PixelEncoding.FLOAT32_LE, pixels.array(), 1_650_000_000_000L, Map.of());
  }

  /** Real encodings of valid and invalid samples, and one of each recipe. */
  static Stream<Arguments> seeds() {
    AvroSerde<LabeledSample> encoder = AvroSerde.labeledSample();
    SampleFields valid = uint8("sample-0001", 3);
    SampleFields floats = float32("sample-0002", 9, 1f);
    SampleFields nan = float32("sample-0003", 0, Float.NaN);
    SampleFields rgb = new SampleFields("sample-0004", "cifar", 2, 32, 32, 3, PixelEncoding.UINT8,
        new byte[32 * 32 * 3], 0L, Map.of());
    byte[] validBytes = encoder.encode(sample(valid));
    byte[] floatBody = Arrays.copyOfRange(encoder.encode(sample(floats)), HostileAvro.HEADER_LENGTH,
        encoder.encode(sample(floats)).length);
    byte[] key = "sample-0001".getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        Arguments.of(key, Recipe.ENCODED, valid, 0L, 0, new byte[0]),
        Arguments.of(key, Recipe.ENCODED, floats, 0L, 0, new byte[0]),
        Arguments.of(key, Recipe.ENCODED, nan, 0L, 0, new byte[0]),
        Arguments.of(key, Recipe.ENCODED, rgb, 0L, 0, new byte[0]),
        Arguments.of(key, Recipe.RAW, valid, 0L, 0, validBytes),
        Arguments.of(key, Recipe.HEADER_THEN_BYTES, valid, 0L, 0, floatBody),
        Arguments.of(key, Recipe.FORGE_VARINT, valid, 1000L, 0, new byte[0]),
        Arguments.of(key, Recipe.FORGE_VARINT, valid, 2L, 6, new byte[0]),
        Arguments.of(key, Recipe.REPLACE_VARINT_WITH_BYTES, valid, 0L, 7, new byte[] {(byte) 0x81, 0x01}),
        Arguments.of(key, Recipe.OVERWRITE, floats, 0L, 40, new byte[] {0, 0, (byte) 0xC0, 0x7F}),
        Arguments.of(key, Recipe.INSERT, valid, 0L, 12, new byte[] {0x02, 0x41}),
        Arguments.of(null, Recipe.TRUNCATE_THEN_BYTES, valid, 0L, 30, new byte[] {0x7F}));
  }

  /** Values the mutators pick 20 % of the time: shape numbers and lengths around the limits. */
  static Stream<?> pool() {
    return Stream.concat(Stream.of(0, 1, -1, 3, 9, 10, 28, 32, 784, 3136),
        Stream.of(FuzzHeap.forgedLengths()));
  }
}

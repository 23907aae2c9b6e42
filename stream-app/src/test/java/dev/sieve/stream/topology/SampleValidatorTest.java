package dev.sieve.stream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicNames;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SampleValidatorTest {

  private final FilterConfig config = FilterConfig.defaults(TopicNames.defaults()).withMaxRecordBytes(8 * 1024);
  private final SampleValidator validator = new SampleValidator(config);
  private final AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();

  private Validation validate(LabeledSample sample) {
    return validator.validate(TestSamples.key(sample.getId().isEmpty() ? "k" : sample.getId()), serde.encode(sample));
  }

  private Validation.Invalid assertInvalid(Validation v, ErrorClass expected, String... reasonParts) {
    Validation.Invalid invalid = assertInstanceOf(Validation.Invalid.class, v);
    assertEquals(expected, invalid.errorClass(), invalid.reason());
    for (String part : reasonParts) {
      assertTrue(invalid.reason().contains(part), "reason '" + invalid.reason() + "' should mention '" + part + "'");
    }
    return invalid;
  }

  @Test
  void acceptsWellFormedSamplesOfBothEncodings() {
    LabeledSample uint8 = TestSamples.uint8("a", 0).build();
    Validation.Valid valid = assertInstanceOf(Validation.Valid.class, validate(uint8));
    assertEquals(uint8, valid.sample());

    assertInstanceOf(Validation.Valid.class, validate(TestSamples.uint8("b", 9).build()), "label 9 is the last class");
    assertInstanceOf(Validation.Valid.class, validate(TestSamples.float32("c", 3, 0f, 1f, 0.5f).build()),
        "0 and 1 are inside [0, 1]");
  }

  @Test
  void refusesMissingValueAndKey() {
    byte[] good = serde.encode(TestSamples.uint8("a", 1).build());
    assertInvalid(validator.validate(TestSamples.key("a"), null), ErrorClass.EMPTY_VALUE, "null");
    assertInvalid(validator.validate(TestSamples.key("a"), new byte[0]), ErrorClass.EMPTY_VALUE, "empty");
    assertInvalid(validator.validate(null, good), ErrorClass.MISSING_KEY, "key", "null");
    assertInvalid(validator.validate(new byte[0], good), ErrorClass.MISSING_KEY, "key", "empty");
  }

  @Test
  void refusesOversizedValuesBeforeDecoding() {
    byte[] huge = new byte[config.maxRecordBytes() + 1];
    Arrays.fill(huge, (byte) 0x41); // not Avro at all: the size check must come first
    assertInvalid(validator.validate(TestSamples.key("a"), huge), ErrorClass.OVERSIZED_RECORD,
        Integer.toString(huge.length), "maxRecordBytes=" + config.maxRecordBytes());
  }

  @Test
  void refusesBytesThatAreNotALabeledSample() {
    byte[] good = serde.encode(TestSamples.uint8("a", 1).build());
    assertInvalid(validator.validate(TestSamples.key("a"), "hello world".getBytes()), ErrorClass.BAD_AVRO, "C3 01");

    byte[] unknownFingerprint = good.clone();
    for (int i = 2; i < 10; i++) {
      unknownFingerprint[i] ^= (byte) 0x5a;
    }
    assertInvalid(validator.validate(TestSamples.key("a"), unknownFingerprint), ErrorClass.BAD_AVRO, "fingerprint");

    byte[] truncated = Arrays.copyOf(good, good.length / 2);
    assertInvalid(validator.validate(TestSamples.key("a"), truncated), ErrorClass.BAD_AVRO, "LabeledSample");
  }

  @Test
  void refusesEmptyId() {
    assertInvalid(validate(TestSamples.uint8("", 1).build()), ErrorClass.EMPTY_ID, "id");
  }

  @Test
  void refusesWrongImageShape() {
    assertInvalid(validate(TestSamples.uint8("a", 1).setHeight(32).build()), ErrorClass.WRONG_IMAGE_SIZE,
        "'a'", "height", "32x28x1", "expected 28x28x1");
    assertInvalid(validate(TestSamples.uint8("a", 1).setWidth(27).build()), ErrorClass.WRONG_IMAGE_SIZE, "28x27x1");
    assertInvalid(validate(TestSamples.uint8("a", 1).setChannels(3).build()), ErrorClass.WRONG_IMAGE_SIZE, "28x28x3");
  }

  @Test
  void refusesLabelsOutsideTheClasses() {
    assertInvalid(validate(TestSamples.uint8("a", 10).build()), ErrorClass.LABEL_OUT_OF_RANGE, "label", "10", "[0, 10)");
    assertInvalid(validate(TestSamples.uint8("a", -1).build()), ErrorClass.LABEL_OUT_OF_RANGE, "-1");
  }

  @Test
  void refusesEmptyOrMisSizedPixels() {
    assertInvalid(validate(TestSamples.uint8("a", 1).setPixels(ByteBuffer.allocate(0)).build()),
        ErrorClass.EMPTY_PIXELS, "pixels", "784");
    assertInvalid(validate(TestSamples.uint8("a", 1).setPixels(ByteBuffer.allocate(783)).build()),
        ErrorClass.PIXEL_LENGTH_MISMATCH, "pixels", "783", "expected 784");
    // FLOAT32 needs four bytes per value: 784 bytes are a UINT8 image mislabelled as FLOAT32_LE.
    assertInvalid(validate(TestSamples.float32("a", 1).setPixels(ByteBuffer.allocate(784)).build()),
        ErrorClass.PIXEL_LENGTH_MISMATCH, "784", "expected 3136", "FLOAT32_LE");
  }

  @Test
  void refusesNonFiniteAndOutOfRangeFloats() {
    assertInvalid(validate(TestSamples.float32("a", 1, 0.2f, Float.NaN).build()), ErrorClass.NON_FINITE_PIXELS, "#1", "NaN");
    assertInvalid(validate(TestSamples.float32("a", 1, Float.POSITIVE_INFINITY).build()),
        ErrorClass.NON_FINITE_PIXELS, "#0", "Infinity");
    assertInvalid(validate(TestSamples.float32("a", 1, 0f, 0f, 1.5f).build()), ErrorClass.PIXEL_OUT_OF_RANGE, "#2", "1.5", "[0, 1]");
    assertInvalid(validate(TestSamples.float32("a", 1, -0.01f).build()), ErrorClass.PIXEL_OUT_OF_RANGE, "-0.01");
  }

  @Test
  void checkingFloatsDoesNotMoveThePixelBuffer() {
    LabeledSample sample = TestSamples.float32("a", 1).build();
    int before = sample.getPixels().position();
    assertInstanceOf(Validation.Valid.class, validator.checkSample(sample));
    assertEquals(before, sample.getPixels().position());
  }
}

package dev.sieve.stream.topology;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.wire.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decodes a raw sample record and checks it against the configured image shape and label range.
 * Pure: no I/O, no state beyond the decoder, so every rule is unit-testable.
 *
 * <p>Checks run cheapest first. The size check runs before decoding, so a value larger than
 * {@code maxRecordBytes} is never decoded; inside the limit, the decoder itself
 * ({@link AvroSerde#decode}) refuses a length or count that claims more bytes than the record holds,
 * so a 30-byte record cannot declare a 2 GiB field and make the decoder allocate it.
 */
public final class SampleValidator {

  private final FilterConfig config;
  private final AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();

  public SampleValidator(FilterConfig config) {
    this.config = config;
  }

  public Validation validate(byte[] key, byte[] value) {
    if (value == null || value.length == 0) {
      return Validation.invalid(ErrorClass.EMPTY_VALUE, "record value is "
          + (value == null ? "null (a tombstone)" : "empty (0 bytes)")
          + "; expected an Avro single-object encoded LabeledSample");
    }
    if (key == null || key.length == 0) {
      return Validation.invalid(ErrorClass.MISSING_KEY, "record key is "
          + (key == null ? "null" : "empty (0 bytes)") + "; expected the sample id as UTF-8");
    }
    if (value.length > config.maxRecordBytes()) {
      return Validation.invalid(ErrorClass.OVERSIZED_RECORD, "record value is " + value.length
          + " bytes; expected at most maxRecordBytes=" + config.maxRecordBytes());
    }
    LabeledSample sample;
    try {
      sample = serde.decode(value);
    } catch (SerializationException e) {
      return Validation.invalid(ErrorClass.BAD_AVRO, "record value (" + value.length
          + " bytes) is not a LabeledSample: " + e.getMessage());
    }
    Validation checked = checkSample(sample);
    if (checked instanceof Validation.Valid && !Arrays.equals(key, sample.getId().getBytes(StandardCharsets.UTF_8))) {
      return Validation.invalid(ErrorClass.KEY_ID_MISMATCH, "record key '"
          + printable(new String(key, StandardCharsets.UTF_8)) + "' is not the sample's id '" + printable(sample.getId())
          + "'; samples are keyed by their id, so that copies of one id meet in one partition and the duplicate"
          + " check sees them");
    }
    return checked;
  }

  /** At most 64 characters of a value someone else chose, control characters escaped, for a reason. */
  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    StringBuilder out = new StringBuilder(cut.length());
    cut.codePoints().forEach(c -> out.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c)));
    return out.toString();
  }

  /** The rules that apply to a decoded sample. */
  Validation checkSample(LabeledSample sample) {
    String id = sample.getId();
    if (id == null || id.isEmpty()) {
      return Validation.invalid(ErrorClass.EMPTY_ID, "sample field id is empty; expected a non-empty unique id");
    }
    String who = "sample '" + id + "'";
    if (sample.getHeight() != config.height() || sample.getWidth() != config.width()
        || sample.getChannels() != config.channels()) {
      return Validation.invalid(ErrorClass.WRONG_IMAGE_SIZE, who + ": fields height x width x channels are "
          + sample.getHeight() + "x" + sample.getWidth() + "x" + sample.getChannels() + "; expected "
          + config.height() + "x" + config.width() + "x" + config.channels());
    }
    if (sample.getLabel() < 0 || sample.getLabel() >= config.numClasses()) {
      return Validation.invalid(ErrorClass.LABEL_OUT_OF_RANGE, who + ": field label is " + sample.getLabel()
          + "; expected a class index in [0, " + config.numClasses() + ")");
    }
    ByteBuffer pixels = sample.getPixels();
    int length = pixels == null ? 0 : pixels.remaining();
    if (length == 0) {
      return Validation.invalid(ErrorClass.EMPTY_PIXELS, who + ": field pixels is empty; expected "
          + expectedPixelBytes(sample.getEncoding()) + " bytes of " + sample.getEncoding());
    }
    long expected = expectedPixelBytes(sample.getEncoding());
    if (length != expected) {
      return Validation.invalid(ErrorClass.PIXEL_LENGTH_MISMATCH, who + ": field pixels holds " + length
          + " bytes; expected " + expected + " (" + config.height() + "x" + config.width() + "x"
          + config.channels() + " values of " + sample.getEncoding() + ")");
    }
    if (sample.getEncoding() == PixelEncoding.FLOAT32_LE) {
      return checkFloats(who, sample, pixels);
    }
    return Validation.valid(sample);
  }

  private Validation checkFloats(String who, LabeledSample sample, ByteBuffer pixels) {
    // duplicate(): reading must not move the position of the buffer the sample keeps.
    ByteBuffer floats = pixels.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int count = floats.remaining() / Float.BYTES;
    int base = floats.position();
    for (int i = 0; i < count; i++) {
      float v = floats.getFloat(base + i * Float.BYTES);
      if (!Float.isFinite(v)) {
        return Validation.invalid(ErrorClass.NON_FINITE_PIXELS, who + ": field pixels value #" + i
            + " is " + v + "; expected a finite FLOAT32_LE value in [0, 1]");
      }
      if (v < 0f || v > 1f) {
        return Validation.invalid(ErrorClass.PIXEL_OUT_OF_RANGE, who + ": field pixels value #" + i
            + " is " + v + "; expected a FLOAT32_LE value in [0, 1]");
      }
    }
    return Validation.valid(sample);
  }

  private long expectedPixelBytes(PixelEncoding encoding) {
    long bytesPerValue = encoding == PixelEncoding.FLOAT32_LE ? Float.BYTES : 1;
    return config.valuesPerImage() * bytesPerValue;
  }
}

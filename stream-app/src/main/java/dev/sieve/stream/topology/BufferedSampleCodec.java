package dev.sieve.stream.topology;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.wire.AvroSerde;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The byte layout of a {@link BufferedSample} in the batcher's store and its changelog.
 *
 * <pre>
 * byte    format version (1)
 * long    bufferedAtMs          -- fixed offset 1, so the punctuator can read it without decoding
 * long    timestamp
 * int     key length, key bytes
 * int     header count, then per header:
 *           int name length, UTF-8 name; int value length (-1 for null), value bytes
 * int     sample length, sample as Avro single-object encoding
 * </pre>
 *
 * The sample keeps Avro's single-object encoding (with its schema fingerprint) so that a buffer
 * restored from the changelog after an upgrade still decodes through the schema store.
 */
public final class BufferedSampleCodec {

  static final byte FORMAT_VERSION = 1;
  private static final int BUFFERED_AT_OFFSET = 1;

  private final AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();

  public byte[] encode(BufferedSample buffered) {
    byte[] key = buffered.key() == null ? new byte[0] : buffered.key();
    List<byte[]> names = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    int size = 1 + Long.BYTES * 2 + Integer.BYTES + key.length + Integer.BYTES;
    if (buffered.headers() != null) {
      for (Header header : buffered.headers()) {
        byte[] name = header.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = header.value();
        names.add(name);
        values.add(value);
        size += Integer.BYTES * 2 + name.length + (value == null ? 0 : value.length);
      }
    }
    byte[] sample = serde.encode(buffered.sample());
    size += Integer.BYTES + sample.length;

    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT_VERSION);
    out.putLong(buffered.bufferedAtMs());
    out.putLong(buffered.timestamp());
    out.putInt(key.length).put(key);
    out.putInt(names.size());
    for (int i = 0; i < names.size(); i++) {
      out.putInt(names.get(i).length).put(names.get(i));
      byte[] value = values.get(i);
      if (value == null) {
        out.putInt(-1);
      } else {
        out.putInt(value.length).put(value);
      }
    }
    out.putInt(sample.length).put(sample);
    return out.array();
  }

  public BufferedSample decode(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      checkVersion(in.get());
      long bufferedAt = in.getLong();
      long timestamp = in.getLong();
      byte[] key = readBytes(in, "key");
      int headerCount = in.getInt();
      if (headerCount < 0) {
        throw new IllegalArgumentException("negative header count " + headerCount);
      }
      RecordHeaders headers = new RecordHeaders();
      for (int i = 0; i < headerCount; i++) {
        String name = new String(readBytes(in, "header name"), StandardCharsets.UTF_8);
        int valueLength = in.getInt();
        byte[] value = null;
        if (valueLength > in.remaining()) {
          throw new IllegalArgumentException("header '" + name + "' value length " + valueLength
              + " with " + in.remaining() + " bytes left");
        }
        if (valueLength >= 0) {
          value = new byte[valueLength];
          in.get(value);
        }
        headers.add(new RecordHeader(name, value));
      }
      LabeledSample sample = serde.decode(readBytes(in, "sample"));
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " trailing bytes");
      }
      return new BufferedSample(key, headers, timestamp, bufferedAt, sample);
    } catch (BufferUnderflowException | IllegalArgumentException | org.apache.kafka.common.errors.SerializationException e) {
      throw new IllegalStateException("corrupt buffered-sample envelope (" + bytes.length + " bytes): " + e, e);
    }
  }

  /** When the envelope's sample entered the buffer, read without decoding the rest. */
  public static long bufferedAtMs(byte[] bytes) {
    if (bytes.length < BUFFERED_AT_OFFSET + Long.BYTES) {
      throw new IllegalStateException("corrupt buffered-sample envelope: " + bytes.length
          + " bytes, expected at least " + (BUFFERED_AT_OFFSET + Long.BYTES));
    }
    checkVersion(bytes[0]);
    return ByteBuffer.wrap(bytes).getLong(BUFFERED_AT_OFFSET);
  }

  private static void checkVersion(byte version) {
    if (version != FORMAT_VERSION) {
      throw new IllegalStateException("buffered-sample envelope has format version " + version
          + "; expected " + FORMAT_VERSION);
    }
  }

  private static byte[] readBytes(ByteBuffer in, String field) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException(field + " length " + length + " with " + in.remaining() + " bytes left");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }
}

package dev.sieve.stream.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Builds structured-but-hostile Avro single-object encodings for the fuzz tests: inputs that get
 * past the 2-byte marker and the 8-byte schema fingerprint, so that the fuzzer spends its time in
 * the Avro body decoder and in the checks behind it rather than on the header.
 *
 * <p>A {@link Recipe} says how one input is made from a valid encoding of a fuzzer-chosen record
 * (the "base"), a fuzzer-chosen number and fuzzer-chosen bytes. The splice points are the offsets
 * of every varint in the base's body (string and bytes lengths, ints, longs, enum indexes, map and
 * array block counts), found by walking the body along the writer schema.
 */
public final class HostileAvro {

  /** The single-object marker, {@code C3 01}. */
  static final byte[] MARKER = {(byte) 0xC3, 0x01};
  /** Marker plus the 8-byte little-endian CRC-64-AVRO fingerprint. */
  public static final int HEADER_LENGTH = 10;

  private HostileAvro() {}

  /** How one fuzz input is built. */
  public enum Recipe {
    /** The fuzzer's bytes as they are: exercises the marker and fingerprint checks. */
    RAW,
    /** A valid header for the schema, then the fuzzer's bytes as the body. */
    HEADER_THEN_BYTES,
    /** The valid encoding of the fuzzer-chosen record, unchanged. */
    ENCODED,
    /**
     * The base with the varint at splice point {@code at} replaced by the zig-zag varint of
     * {@code number}: a forged string/bytes length, map block count, enum index or int value.
     */
    FORGE_VARINT,
    /** The base with the varint at splice point {@code at} replaced by the fuzzer's bytes. */
    REPLACE_VARINT_WITH_BYTES,
    /** The base with the fuzzer's bytes written over its body from offset {@code at}. */
    OVERWRITE,
    /** The base with the fuzzer's bytes inserted into its body at offset {@code at}. */
    INSERT,
    /** The base cut at offset {@code at} of its body, then the fuzzer's bytes. */
    TRUNCATE_THEN_BYTES
  }

  /** The value that {@code recipe} makes from a valid encoding {@code base} of a record of {@code schema}. */
  public static byte[] build(Recipe recipe, Schema schema, byte[] base, int at, long number, byte[] bytes) {
    int bodyLength = base.length - HEADER_LENGTH;
    switch (recipe) {
      case RAW:
        return bytes.clone();
      case HEADER_THEN_BYTES:
        return concat(header(schema), bytes);
      case ENCODED:
        return base.clone();
      case FORGE_VARINT:
      case REPLACE_VARINT_WITH_BYTES: {
        List<Integer> points = varintStarts(schema, base);
        if (points.isEmpty()) {
          return base.clone();
        }
        int start = points.get(Math.floorMod(at, points.size()));
        int end = start + varintLength(base, start);
        byte[] replacement = recipe == Recipe.FORGE_VARINT ? zigZagVarint(number) : bytes;
        return concat(Arrays.copyOfRange(base, 0, start), replacement, Arrays.copyOfRange(base, end, base.length));
      }
      case OVERWRITE: {
        int offset = HEADER_LENGTH + Math.floorMod(at, bodyLength + 1);
        byte[] out = Arrays.copyOf(base, Math.max(base.length, offset + bytes.length));
        System.arraycopy(bytes, 0, out, offset, bytes.length);
        return out;
      }
      case INSERT: {
        int offset = HEADER_LENGTH + Math.floorMod(at, bodyLength + 1);
        return concat(Arrays.copyOfRange(base, 0, offset), bytes, Arrays.copyOfRange(base, offset, base.length));
      }
      case TRUNCATE_THEN_BYTES: {
        int offset = HEADER_LENGTH + Math.floorMod(at, bodyLength + 1);
        return concat(Arrays.copyOfRange(base, 0, offset), bytes);
      }
      default:
        throw new IllegalArgumentException("unknown recipe " + recipe);
    }
  }

  /** {@code C3 01} and the schema's CRC-64-AVRO fingerprint, little-endian. */
  public static byte[] header(Schema schema) {
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    byte[] header = new byte[HEADER_LENGTH];
    header[0] = MARKER[0];
    header[1] = MARKER[1];
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return header;
  }

  /** Avro's encoding of a long: zig-zag, then 7 bits a byte, least significant group first. */
  public static byte[] zigZagVarint(long value) {
    long n = (value << 1) ^ (value >> 63);
    ByteArrayOutputStream out = new ByteArrayOutputStream(10);
    while ((n & ~0x7FL) != 0) {
      out.write((int) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    out.write((int) n);
    return out.toByteArray();
  }

  /**
   * Offsets in {@code encoding} (header included) at which a varint of the body starts, in body
   * order. The walk stops quietly where the bytes stop matching the schema.
   */
  public static List<Integer> varintStarts(Schema schema, byte[] encoding) {
    List<Integer> points = new ArrayList<>();
    Walker walker = new Walker(encoding, HEADER_LENGTH, points);
    try {
      walker.value(schema);
    } catch (IndexOutOfBoundsException | IllegalStateException stop) {
      // A malformed base: keep the points found so far.
    }
    return points;
  }

  static int varintLength(byte[] bytes, int start) {
    int i = start;
    while (i < bytes.length && i - start < 10 && (bytes[i] & 0x80) != 0) {
      i++;
    }
    return Math.min(i + 1, bytes.length) - start;
  }

  public static String hex(byte[] bytes) {
    return bytes == null ? "null" : HexFormat.of().withUpperCase().formatHex(bytes);
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }

  /** Walks an Avro binary body along a schema, noting where each varint starts. */
  private static final class Walker {
    private final byte[] bytes;
    private int pos;
    private final List<Integer> points;

    Walker(byte[] bytes, int pos, List<Integer> points) {
      this.bytes = bytes;
      this.pos = pos;
      this.points = points;
    }

    void value(Schema schema) {
      switch (schema.getType()) {
        case RECORD -> {
          for (Schema.Field field : schema.getFields()) {
            value(field.schema());
          }
        }
        case STRING, BYTES -> skip(varint());
        case INT, LONG, ENUM -> varint();
        case BOOLEAN -> skip(1);
        case FLOAT -> skip(4);
        case DOUBLE -> skip(8);
        case FIXED -> skip(schema.getFixedSize());
        case NULL -> { }
        case UNION -> value(schema.getTypes().get(checkIndex(varint(), schema.getTypes().size())));
        case ARRAY -> blocks(schema.getElementType(), null);
        case MAP -> blocks(schema.getValueType(), Schema.create(Schema.Type.STRING));
        default -> throw new IllegalStateException("unexpected schema type " + schema.getType());
      }
    }

    private void blocks(Schema item, Schema key) {
      while (true) {
        long count = varint();
        if (count == 0) {
          return;
        }
        if (count < 0) {
          count = -count;
          varint(); // the block's size in bytes
        }
        if (count > bytes.length) {
          throw new IllegalStateException("block count " + count + " is larger than the input");
        }
        for (long i = 0; i < count; i++) {
          if (key != null) {
            value(key);
          }
          value(item);
        }
      }
    }

    private long varint() {
      points.add(pos);
      long n = 0;
      int shift = 0;
      int b;
      do {
        if (shift > 63) {
          throw new IllegalStateException("varint longer than 10 bytes at " + pos);
        }
        b = bytes[pos++] & 0xFF;
        n |= (long) (b & 0x7F) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      return (n >>> 1) ^ -(n & 1);
    }

    private void skip(long n) {
      if (n < 0 || pos + n > bytes.length) {
        throw new IllegalStateException("cannot skip " + n + " bytes at " + pos);
      }
      pos += (int) n;
    }

    private static int checkIndex(long index, int size) {
      if (index < 0 || index >= size) {
        throw new IllegalStateException("union index " + index + " out of range");
      }
      return (int) index;
    }
  }
}

package dev.sieve.wire;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Walks an Avro binary body against its writer schema, before Avro decodes it, and refuses any
 * length or item count that claims more than the bytes that follow it.
 *
 * <p>Why: Avro's {@code BinaryDecoder} allocates what a {@code bytes} or {@code string} length, or
 * an array or map block count, declares, before it reads a byte of it. A 30-byte record that
 * declares a 2 GiB string makes the decoder allocate 2 GiB, and a JVM run with
 * {@code -XX:+ExitOnOutOfMemoryError} dies on it, again on every restart, because the offset never
 * commits. Avro's own {@code org.apache.avro.limits.*} properties ({@link DecodeLimits}) cap the
 * claim at a JVM-wide number; this check caps it at what the record really holds, so the decoder
 * never allocates more than a small multiple of the record's own size, whatever the properties say.
 *
 * <p>It also refuses bytes left over after the last field, enum and union indexes out of range,
 * and nesting deeper than {@link #MAX_DEPTH}, so that a recursive schema cannot be driven into a
 * stack overflow. Every refusal is a {@link SerializationException} whose message names the field
 * path, what was declared and how many bytes were left.
 */
final class LengthPrefixCheck {

  /** Deepest nesting of records, arrays, maps and unions a body may have. */
  static final int MAX_DEPTH = 64;
  /** Most items of zero encoded bytes one array or map may hold. */
  static final long MAX_ZERO_BYTE_ITEMS = 65_536;

  private final byte[] bytes;
  private final int end;
  private int pos;

  private LengthPrefixCheck(byte[] bytes, int offset) {
    this.bytes = bytes;
    this.pos = offset;
    this.end = bytes.length;
  }

  /** Checks the body that starts at {@code offset} and runs to the end of {@code bytes}. */
  static void check(Schema writer, byte[] bytes, int offset) {
    LengthPrefixCheck walk = new LengthPrefixCheck(bytes, offset);
    walk.value(writer, writer.getName(), 0);
    if (walk.pos != walk.end) {
      throw new SerializationException("body of " + writer.getName() + " has " + (walk.end - walk.pos)
          + " bytes left after its last field; expected none");
    }
  }

  private void value(Schema schema, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new SerializationException("field " + path + " is nested deeper than " + MAX_DEPTH + " levels");
    }
    switch (schema.getType()) {
      case NULL -> { }
      case BOOLEAN -> skip(1, path);
      case INT, LONG -> varLong(path);
      case FLOAT -> skip(4, path);
      case DOUBLE -> skip(8, path);
      case FIXED -> skip(schema.getFixedSize(), path);
      case STRING, BYTES -> skip(length(path), path);
      case ENUM -> index(schema.getEnumSymbols().size(), path, "enum symbol");
      case UNION -> {
        List<Schema> branches = schema.getTypes();
        int branch = index(branches.size(), path, "union branch");
        value(branches.get(branch), path, depth + 1);
      }
      case RECORD -> {
        for (Schema.Field field : schema.getFields()) {
          value(field.schema(), path + "." + field.name(), depth + 1);
        }
      }
      case ARRAY -> items(schema.getElementType(), false, path, depth);
      case MAP -> items(schema.getValueType(), true, path, depth);
    }
  }

  /**
   * The blocks of an array or map: a count, (when the count is negative, its absolute value and
   * the block's size in bytes), the items, and a zero count at the end. Every item takes at least
   * {@link #minimumBytes} bytes, so a count can be checked against what is left before any item is
   * read. Items of zero bytes (nulls, empty records) cost no bytes to claim, so they are capped at
   * {@link #MAX_ZERO_BYTE_ITEMS} per collection; none of Sieve's schemas has such a collection.
   */
  private void items(Schema item, boolean map, String path, int depth) {
    long perItem = (map ? 1 : 0) + minimumBytes(item, 0);
    long index = 0;
    while (true) {
      long count = varLong(path);
      if (count == 0) {
        return;
      }
      if (count < 0) {
        if (count == Long.MIN_VALUE) {
          throw new SerializationException("field " + path + " declares an impossible block count " + count);
        }
        count = -count;
        long blockBytes = varLong(path);
        if (blockBytes < 0 || blockBytes > remaining()) {
          throw new SerializationException("field " + path + " declares a block of " + blockBytes
              + " bytes but only " + remaining() + " bytes are left");
        }
      }
      long limit = perItem == 0 ? MAX_ZERO_BYTE_ITEMS - index : remaining() / perItem;
      if (count > limit) {
        throw new SerializationException("field " + path + " declares " + count + (map ? " entries" : " items")
            + (perItem == 0 ? ", more than the " + MAX_ZERO_BYTE_ITEMS + " allowed of items that take no bytes"
                : " but only " + remaining() + " bytes are left (each takes at least " + perItem + ")"));
      }
      for (long i = 0; i < count; i++, index++) {
        String at = path + "[" + index + "]";
        if (map) {
          skip(length(at + ".key"), at + ".key");
        }
        value(item, at, depth + 1);
      }
    }
  }

  /** The fewest bytes any value of {@code schema} takes in Avro's binary encoding. */
  static long minimumBytes(Schema schema, int depth) {
    if (depth > MAX_DEPTH) {
      return 0;
    }
    return switch (schema.getType()) {
      case NULL -> 0;
      case BOOLEAN, INT, LONG, ENUM, STRING, BYTES, ARRAY, MAP, UNION -> 1;
      case FLOAT -> 4;
      case DOUBLE -> 8;
      case FIXED -> schema.getFixedSize();
      case RECORD -> schema.getFields().stream().mapToLong(f -> minimumBytes(f.schema(), depth + 1)).sum();
    };
  }

  private int index(int size, String path, String what) {
    long index = varLong(path);
    if (index < 0 || index >= size) {
      throw new SerializationException("field " + path + " selects " + what + " " + index
          + "; the writer schema has " + size);
    }
    return (int) index;
  }

  /** A bytes or string length: not negative, and no more than what is left. */
  private long length(String path) {
    long length = varLong(path);
    if (length < 0) {
      throw new SerializationException("field " + path + " declares a negative length " + length);
    }
    if (length > remaining()) {
      throw new SerializationException("field " + path + " declares " + length + " bytes but only "
          + remaining() + " bytes are left in the record");
    }
    return length;
  }

  private void skip(long count, String path) {
    if (count > remaining()) {
      throw new SerializationException("field " + path + " needs " + count + " bytes but only "
          + remaining() + " are left (truncated record)");
    }
    pos += (int) count;
  }

  /** A zig-zag varint of at most 10 bytes, as Avro writes int and long. */
  private long varLong(String path) {
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) {
        throw new SerializationException("field " + path + " is cut off inside a number (truncated record)");
      }
      int b = bytes[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new SerializationException("field " + path + " holds a number longer than 10 bytes");
  }

  private long remaining() {
    return end - pos;
  }
}

package dev.sieve.wire;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Hostile LabeledSample encodings of a few dozen bytes whose length prefixes lie: what an attacker
 * who can write the samples topic sends to make a naive Avro decoder allocate gigabytes. The bad
 * input corpus, the end-to-end test of {@code sieve stream} under a small heap and the fuzz
 * tests' seeds are built from them, so that all three test the same forgeries.
 *
 * <p>Each is a valid single-object header with LabeledSample's fingerprint, then a body written
 * field by field in Avro's binary encoding, with one lying count.
 */
public final class ForgedRecords {

  /** What the lying field declares: close to the largest Java array. */
  public static final long FORGED_LENGTH = 2_000_000_000L;

  private ForgedRecords() {}

  /** The {@code pixels} bytes field declares {@link #FORGED_LENGTH} bytes; a handful follow. */
  public static byte[] forgedPixelsLength(String id) {
    Body body = header();
    body.string(id).string("forged").varLong(1).varLong(28).varLong(28).varLong(1).varLong(0);
    body.varLong(FORGED_LENGTH).raw(new byte[8]);
    return body.bytes();
  }

  /** The {@code id} string field declares {@link #FORGED_LENGTH} bytes; a handful follow. */
  public static byte[] forgedIdLength() {
    Body body = header();
    body.varLong(FORGED_LENGTH).raw("forged".getBytes(StandardCharsets.US_ASCII));
    return body.bytes();
  }

  /** The {@code metadata} map declares {@link #FORGED_LENGTH} entries in its first block; one follows. */
  public static byte[] forgedMetadataCount(String id) {
    Body body = header();
    body.string(id).string("forged").varLong(1).varLong(28).varLong(28).varLong(1).varLong(0);
    body.varLong(784).raw(new byte[784]).varLong(0);
    body.varLong(FORGED_LENGTH).string("k").string("v").varLong(0);
    return body.bytes();
  }

  /**
   * The same forgery as a Verdict, whose body begins with its sample's: what a client with Write
   * on credible or quarantine would send the trainer, the quarantine view or the evaluators.
   */
  public static byte[] asVerdict(byte[] forgedSample) {
    byte[] verdict = forgedSample.clone();
    System.arraycopy(fingerprint(Verdict.getClassSchema()), 0, verdict, 2, 8);
    return verdict;
  }

  private static Body header() {
    Body body = new Body();
    body.out.write(0xC3);
    body.out.write(0x01);
    body.raw(fingerprint(LabeledSample.getClassSchema()));
    return body;
  }

  private static byte[] fingerprint(Schema schema) {
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array();
  }

  /** Avro's binary encoding, written by hand so that any count can lie. */
  private static final class Body {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Body varLong(long value) {
      long zigzag = (value << 1) ^ (value >> 63);
      while ((zigzag & ~0x7FL) != 0) {
        out.write((int) ((zigzag & 0x7F) | 0x80));
        zigzag >>>= 7;
      }
      out.write((int) zigzag);
      return this;
    }

    Body string(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      varLong(utf8.length);
      return raw(utf8);
    }

    Body raw(byte[] bytes) {
      out.writeBytes(bytes);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}

package dev.sieve.wire;

import org.apache.avro.SystemLimitException;

/**
 * Avro's JVM-wide decoding limits ({@code org.apache.avro.limits.bytes.maxLength},
 * {@code ...string.maxLength}, {@code ...collectionItems.maxLength}), set from Sieve's
 * {@code --max-record-bytes} in code, so that an embedded use of Sieve is as safe as a JVM started
 * with the flags.
 *
 * <p>One number serves all three: {@link #FIELD_LIMIT_FACTOR} times {@code --max-record-bytes}
 * (1 MiB by default, Kafka's default largest message). Not the record limit itself, because the
 * dead-letter topic keeps each refused record whole, up to what the broker accepts, and its readers
 * must still decode it. Avro
 * reads the properties once, when its {@code SystemLimitException} class is first used, which is
 * at the first decode of a string or bytes field: {@link #configure} must run before that, and the
 * CLI calls it before any command runs. {@link AvroSerde} applies {@link #DEFAULT_MAX_RECORD_BYTES}
 * when nothing was configured. A property already given on the command line ({@code -D...}) is
 * left as it is, so an operator can always tighten it.
 *
 * <p>These limits are the second line. The first is {@link LengthPrefixCheck}, which {@link
 * AvroSerde} runs on every record and which refuses any declared length longer than the bytes
 * that follow it, whatever these properties say.
 */
public final class DecodeLimits {

  /** The default of {@code --max-record-bytes}: a 28x28 float image is 3 KiB, a 64x64x3 one 48 KiB. */
  public static final int DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
  /** Avro's limits are this many times the record limit; see the class comment. */
  public static final int FIELD_LIMIT_FACTOR = 16;

  private static final String[] PROPERTIES = {
      SystemLimitException.MAX_BYTES_LENGTH_PROPERTY,
      SystemLimitException.MAX_STRING_LENGTH_PROPERTY,
      SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY,
  };

  private DecodeLimits() {}

  /**
   * Sets each of Avro's limits to {@link #FIELD_LIMIT_FACTOR} x {@code maxRecordBytes} unless the
   * JVM was started with it set. Call before the first decode.
   */
  public static synchronized void configure(int maxRecordBytes) {
    if (maxRecordBytes <= 0) {
      throw new IllegalArgumentException("max record bytes must be positive, got " + maxRecordBytes);
    }
    long limit = Math.min(Integer.MAX_VALUE - 8L, (long) FIELD_LIMIT_FACTOR * maxRecordBytes);
    for (String property : PROPERTIES) {
      if (System.getProperty(property) == null || Boolean.getBoolean(SET_BY_SIEVE)) {
        System.setProperty(property, Long.toString(limit));
      }
    }
    System.setProperty(SET_BY_SIEVE, "true");
  }

  /** Applies the default unless {@link #configure} (or the command line) already set the limits. */
  static synchronized void configureDefault() {
    if (!Boolean.getBoolean(SET_BY_SIEVE)) {
      configure(DEFAULT_MAX_RECORD_BYTES);
    }
  }

  /** Marks the properties as Sieve's own, so a later {@link #configure} may change them again. */
  private static final String SET_BY_SIEVE = "sieve.avroLimitsSetBySieve";
}

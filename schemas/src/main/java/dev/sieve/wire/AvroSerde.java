package dev.sieve.wire;

import dev.sieve.schemas.Alert;
import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka Serde for Avro single-object encoding: a 2-byte marker {@code C3 01}, the 8-byte
 * CRC-64-AVRO fingerprint of the writer schema, then the Avro binary body.
 *
 * <p>Why not Confluent's serializer: neither it nor Schema Registry is on Maven Central, and
 * single-object encoding is Avro's own self-describing format that any Avro library (Python's
 * included) can write. Readers resolve older writer schemas through the {@link SchemaStore}, so a
 * schema can evolve as long as its past versions are registered with {@link #withKnownSchema}.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  static {
    // Avro 1.12 refuses to instantiate generated classes outside trusted packages.
    String key = "org.apache.avro.SERIALIZABLE_PACKAGES";
    String trusted = System.getProperty(key);
    if (trusted == null || !trusted.contains("dev.sieve.schemas")) {
      System.setProperty(key, trusted == null || trusted.isBlank()
          ? "dev.sieve.schemas" : trusted + ",dev.sieve.schemas");
    }
    DecodeLimits.configureDefault();
  }

  /** Single-object header: the marker C3 01 and the 8-byte little-endian schema fingerprint. */
  private static final int HEADER_BYTES = 10;

  private final Class<T> type;
  private final Schema schema;
  private final long fingerprint;
  private final SchemaStore.Cache knownSchemas = new SchemaStore.Cache();
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Class<T> type, Schema schema) {
    this.type = type;
    this.schema = schema;
    this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    SpecificData model = new SpecificData(type.getClassLoader());
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, knownSchemas);
  }

  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(type, SpecificData.get().getSchema(type));
  }

  public static AvroSerde<LabeledSample> labeledSample() {
    return of(LabeledSample.class);
  }

  public static AvroSerde<Verdict> verdict() {
    return of(Verdict.class);
  }

  /**
   * Reads ModelVersions written before the signature field (they decode with signature null) and
   * before the dataset field (dataset null: Fashion-MNIST's shape) as well.
   */
  public static AvroSerde<ModelVersion> modelVersion() {
    return of(ModelVersion.class).withKnownSchema(historic("ModelVersion-1.avsc"))
        .withKnownSchema(historic("ModelVersion-2.avsc"));
  }

  /** An earlier version of one of Sieve's schemas, kept under {@code dev/sieve/schemas/history/}. */
  private static Schema historic(String file) {
    String resource = "/dev/sieve/schemas/history/" + file;
    try (var in = AvroSerde.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema history " + resource + " is missing from the schemas jar");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema history " + resource, e);
    }
  }

  public static AvroSerde<DeadLetter> deadLetter() {
    return of(DeadLetter.class);
  }

  public static AvroSerde<Alert> alert() {
    return of(Alert.class);
  }

  public static AvroSerde<AuditRecord> auditRecord() {
    return of(AuditRecord.class);
  }

  public static AvroSerde<Retraction> retraction() {
    return of(Retraction.class);
  }

  /** Registers an older writer schema so records written with it can still be read. */
  public AvroSerde<T> withKnownSchema(Schema writerSchema) {
    knownSchemas.addSchema(writerSchema);
    decoder.addSchema(writerSchema);
    return this;
  }

  public Schema schema() {
    return schema;
  }

  public byte[] encode(T record) {
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decodes one record, or throws a {@link SerializationException} whose message says what was
   * wrong with the bytes: a missing header, an unknown schema fingerprint, a truncated body, or a
   * length or count that claims more bytes than the record holds ({@link LengthPrefixCheck}). It
   * throws nothing else: not even the {@code Error}s a decoder can raise on hostile input.
   */
  public T decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new SerializationException("empty " + type.getSimpleName() + " value: expected Avro single-object encoding (C3 01 + fingerprint + body)");
    }
    try {
      Schema writer = writerSchema(bytes);
      if (writer != null) {
        LengthPrefixCheck.check(writer, bytes, HEADER_BYTES);
      }
      return decoder.decode(bytes);
    } catch (SerializationException e) {
      throw new SerializationException("cannot decode " + type.getSimpleName() + " body (" + bytes.length
          + " bytes): " + e.getMessage(), e);
    } catch (BadHeaderException e) {
      throw new SerializationException("not Avro single-object encoding for " + type.getSimpleName()
          + ": the value must start with bytes C3 01 (" + e.getMessage() + ")", e);
    } catch (MissingSchemaException e) {
      throw new SerializationException("unknown writer-schema fingerprint for " + type.getSimpleName()
          + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot decode " + type.getSimpleName() + " body ("
          + bytes.length + " bytes): " + e, e);
    } catch (OutOfMemoryError | StackOverflowError e) {
      // What hostile lengths or nesting can raise; LengthPrefixCheck should have refused them
      // first, so reaching here is a gap in it: the record is refused all the same.
      throw new SerializationException("cannot decode " + type.getSimpleName() + " body ("
          + bytes.length + " bytes): the decoder ran out of " + (e instanceof StackOverflowError ? "stack" : "memory")
          + " on it (" + e + ")");
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Error e) {
      throw new SerializationException("cannot decode " + type.getSimpleName() + " body ("
          + bytes.length + " bytes): " + e);
    }
  }

  /**
   * The writer schema the header names, or null when the header is not a single-object header or
   * names a schema this serde does not know: the decoder then refuses it with its own message.
   */
  private Schema writerSchema(byte[] bytes) {
    if (bytes.length < HEADER_BYTES || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
      return null;
    }
    long named = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return named == fingerprint ? schema : knownSchemas.findByFingerprint(named);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, record) -> record == null ? null : encode(record);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }
}

package dev.sieve.wire;

import dev.sieve.schemas.Alert;
import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
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
  }

  private final Class<T> type;
  private final Schema schema;
  private final SchemaStore.Cache knownSchemas = new SchemaStore.Cache();
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Class<T> type, Schema schema) {
    this.type = type;
    this.schema = schema;
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

  public static AvroSerde<ModelVersion> modelVersion() {
    return of(ModelVersion.class);
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
   * wrong with the bytes: a missing header, an unknown schema fingerprint, or a truncated body.
   */
  public T decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new SerializationException("empty " + type.getSimpleName() + " value: expected Avro single-object encoding (C3 01 + fingerprint + body)");
    }
    try {
      return decoder.decode(bytes);
    } catch (BadHeaderException e) {
      throw new SerializationException("not Avro single-object encoding for " + type.getSimpleName()
          + ": the value must start with bytes C3 01 (" + e.getMessage() + ")", e);
    } catch (MissingSchemaException e) {
      throw new SerializationException("unknown writer-schema fingerprint for " + type.getSimpleName()
          + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot decode " + type.getSimpleName() + " body ("
          + bytes.length + " bytes): " + e, e);
    }
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

package dev.sieve.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.PixelEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Forged length prefixes are refused before Avro allocates what they claim; honest records of every
 * Sieve schema pass the walk unchanged.
 */
class LengthPrefixCheckTest {

  private static LabeledSample sample(String id) {
    return LabeledSample.newBuilder().setId(id).setSource("test").setLabel(4).setHeight(28).setWidth(28)
        .setChannels(1).setEncoding(PixelEncoding.UINT8).setPixels(ByteBuffer.wrap(new byte[784]))
        .setEventTime(Instant.ofEpochMilli(1234)).setMetadata(Map.of("k", "v", "origin", "crowd")).build();
  }

  @Test
  void forgedBytesLengthIsRefusedNamingTheFieldAndWhatWasLeft() {
    byte[] forged = ForgedRecords.forgedPixelsLength("forged-1");
    assertTrue(forged.length < 64, "the forgery is a few dozen bytes: " + forged.length);
    SerializationException e = assertThrows(SerializationException.class, () -> AvroSerde.labeledSample().decode(forged));
    assertTrue(e.getMessage().contains("LabeledSample.pixels declares " + ForgedRecords.FORGED_LENGTH + " bytes but only 8"),
        e.getMessage());
  }

  @Test
  void forgedStringLengthIsRefused() {
    SerializationException e = assertThrows(SerializationException.class,
        () -> AvroSerde.labeledSample().decode(ForgedRecords.forgedIdLength()));
    assertTrue(e.getMessage().contains("LabeledSample.id declares " + ForgedRecords.FORGED_LENGTH + " bytes"), e.getMessage());
  }

  @Test
  void forgedMapCountIsRefused() {
    SerializationException e = assertThrows(SerializationException.class,
        () -> AvroSerde.labeledSample().decode(ForgedRecords.forgedMetadataCount("forged-3")));
    assertTrue(e.getMessage().contains("LabeledSample.metadata declares " + ForgedRecords.FORGED_LENGTH + " entries"),
        e.getMessage());
  }

  @Test
  void anArrayOfNullsCannotClaimMoreItemsThanTheRecordHasBytes() {
    Schema schema = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"Nulls\",\"fields\":[{\"name\":\"xs\",\"type\":{\"type\":\"array\",\"items\":\"null\"}}]}");
    // 1,000,000 nulls take no bytes at all: three bytes for the count, one for the end.
    byte[] body = {(byte) 0x80, (byte) 0x89, 0x7a, 0x00};
    SerializationException e = assertThrows(SerializationException.class, () -> LengthPrefixCheck.check(schema, body, 0));
    assertTrue(e.getMessage().contains("Nulls.xs declares 1000000 items"), e.getMessage());
    byte[] few = {0x06, 0x00}; // three nulls
    LengthPrefixCheck.check(schema, few, 0);
  }

  @Test
  void bytesLeftOverAfterTheLastFieldAreRefused() {
    byte[] honest = AvroSerde.labeledSample().encode(sample("s-1"));
    byte[] padded = Arrays.copyOf(honest, honest.length + 3);
    SerializationException e = assertThrows(SerializationException.class, () -> AvroSerde.labeledSample().decode(padded));
    assertTrue(e.getMessage().contains("3 bytes left after its last field"), e.getMessage());
  }

  @Test
  void anOutOfRangeUnionOrEnumIndexIsRefused() {
    byte[] honest = AvroSerde.labeledSample().encode(sample("s-1"));
    // Header 10, id "s-1" 4, source "test" 5, label/height/width/channels 1+1+1+1: the enum follows.
    int encoding = 10 + 4 + 5 + 4;
    byte[] spoiled = honest.clone();
    spoiled[encoding] = 0x08; // symbol 4 of 2
    SerializationException e = assertThrows(SerializationException.class, () -> AvroSerde.labeledSample().decode(spoiled));
    assertTrue(e.getMessage().contains("LabeledSample.encoding selects enum symbol 4; the writer schema has 2"),
        e.getMessage());
  }

  @Test
  void honestRecordsOfEverySchemaPassUnchanged() {
    LabeledSample s = sample("s-2");
    assertEquals(s, AvroSerde.labeledSample().decode(AvroSerde.labeledSample().encode(s)));
    ModelVersion signed = ModelSigningKey.of("k".repeat(32)).sign(ModelVersion.newBuilder().setModelId("victim")
        .setVersion(3).setArchitecture("fmnist-cnn-v1").setCheckpointUri("file:///x").setSha256("ab")
        .setMetrics(Map.of("split.entropyMin", 0.1, "loss", 2.0)).setCreatedAt(Instant.ofEpochMilli(5)).build());
    assertEquals(signed, AvroSerde.modelVersion().decode(AvroSerde.modelVersion().encode(signed)));
  }

  @Test
  void aModelVersionWrittenBeforeTheSignatureFieldStillDecodes() throws IOException {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/dev/sieve/schemas/history/ModelVersion-1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    GenericRecord old = new GenericData.Record(v1);
    old.put("modelId", "victim");
    old.put("version", 7L);
    old.put("architecture", "fmnist-cnn-v1");
    old.put("checkpointUri", "file:///ckpt");
    old.put("sha256", "cd");
    old.put("metrics", Map.of("round", 2.0));
    old.put("createdAt", 99L);
    ModelVersion read = AvroSerde.modelVersion().decode(singleObject(v1, old));
    assertEquals(7L, read.getVersion());
    assertEquals(Map.of("round", 2.0), read.getMetrics());
    assertNull(read.getSignature());
  }

  @Test
  void aSignedModelVersionWrittenBeforeTheDatasetFieldStillDecodesAndVerifies() throws IOException {
    Schema v2;
    try (InputStream in = getClass().getResourceAsStream("/dev/sieve/schemas/history/ModelVersion-2.avsc")) {
      v2 = new Schema.Parser().parse(in);
    }
    ModelSigningKey key = ModelSigningKey.of("k".repeat(32));
    ModelVersion current = ModelVersion.newBuilder().setModelId("victim").setVersion(8).setArchitecture("fmnist-cnn-v1")
        .setCheckpointUri("file:///ckpt").setSha256("cd").setMetrics(Map.of("round", 3.0))
        .setCreatedAt(Instant.ofEpochMilli(99)).build();
    String signature = key.sign(current).getSignature();
    GenericRecord old = new GenericData.Record(v2);
    old.put("modelId", "victim");
    old.put("version", 8L);
    old.put("architecture", "fmnist-cnn-v1");
    old.put("checkpointUri", "file:///ckpt");
    old.put("sha256", "cd");
    old.put("metrics", Map.of("round", 3.0));
    old.put("createdAt", 99L);
    old.put("signature", signature);
    ModelVersion read = AvroSerde.modelVersion().decode(singleObject(v2, old));
    assertNull(read.getDataset(), "a version from before the field carries no shape");
    assertEquals("1x28x28, 10 classes", DatasetDescriptor.declaredShape(read), "and every such version was Fashion-MNIST's");
    assertEquals(Optional.empty(), key.refusal(read), "its signature, made without the field, still verifies");
  }

  @Test
  void everyPrefixOfAnHonestRecordIsRefusedWithAReason() {
    byte[] honest = AvroSerde.labeledSample().encode(sample("s-3"));
    for (int cut = 1; cut < honest.length; cut++) {
      byte[] prefix = Arrays.copyOf(honest, cut);
      SerializationException e = assertThrows(SerializationException.class,
          () -> AvroSerde.labeledSample().decode(prefix), "prefix of " + cut + " bytes");
      assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }
  }

  @Test
  void theMinimumSizeOfAValueFollowsItsSchema() {
    Schema record = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
        + "{\"name\":\"a\",\"type\":\"double\"},{\"name\":\"b\",\"type\":\"null\"},"
        + "{\"name\":\"c\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}},{\"name\":\"d\",\"type\":\"string\"}]}");
    assertEquals(8 + 0 + 3 + 1, LengthPrefixCheck.minimumBytes(record, 0));
    assertEquals(List.of(0L, 1L, 4L), List.of(LengthPrefixCheck.minimumBytes(Schema.create(Schema.Type.NULL), 0),
        LengthPrefixCheck.minimumBytes(Schema.create(Schema.Type.LONG), 0),
        LengthPrefixCheck.minimumBytes(Schema.create(Schema.Type.FLOAT), 0)));
  }

  private static byte[] singleObject(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    out.write(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putLong(org.apache.avro.SchemaNormalization.parsingFingerprint64(schema)).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}

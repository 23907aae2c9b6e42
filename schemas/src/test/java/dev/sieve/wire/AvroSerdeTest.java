package dev.sieve.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private static LabeledSample sample() {
    return LabeledSample.newBuilder().setId("s-1").setSource("test").setLabel(4).setHeight(2).setWidth(2)
        .setChannels(1).setEncoding(PixelEncoding.UINT8).setPixels(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
        .setEventTime(Instant.ofEpochMilli(1234)).setMetadata(Map.of("k", "v")).build();
  }

  @Test
  void everyRecordRoundTripsThroughSingleObjectEncoding() {
    LabeledSample s = sample();
    byte[] bytes = AvroSerde.labeledSample().encode(s);
    assertEquals((byte) 0xC3, bytes[0]);
    assertEquals((byte) 0x01, bytes[1]);
    assertEquals(s, AvroSerde.labeledSample().decode(bytes));

    Verdict v = Verdict.newBuilder().setSample(s).setDecision(Decision.QUARANTINE).setEntropy(1e-7).setScore(0.01)
        .setThreshold(0.2).setVictimModelId("victim").setVictimVersion(3).setReason("r")
        .setScoredAt(Instant.ofEpochMilli(99)).build();
    assertEquals(v, AvroSerde.verdict().deserializer().deserialize("t", AvroSerde.verdict().serializer().serialize("t", v)));

    ModelVersion m = ModelVersion.newBuilder().setModelId("victim").setVersion(2).setArchitecture("fmnist-cnn-v1")
        .setCheckpointUri("file:///x").setSha256("ab").setMetrics(Map.of("loss", 0.5)).setCreatedAt(Instant.EPOCH).build();
    assertEquals(m, AvroSerde.modelVersion().decode(AvroSerde.modelVersion().encode(m)));

    DeadLetter d = DeadLetter.newBuilder().setRawKey(null).setRawValue(ByteBuffer.wrap(new byte[] {9}))
        .setSourceTopic("t").setSourcePartition(1).setSourceOffset(7).setErrorClass("BAD_AVRO").setReason("why")
        .setFailedAt(Instant.EPOCH).build();
    assertEquals(d, AvroSerde.deadLetter().decode(AvroSerde.deadLetter().encode(d)));

    Retraction r = Retraction.newBuilder().setSampleId("s-1").setLabel(4).setReleasedByVersion(1)
        .setVictimModelId("victim").setVictimVersion(2).setEntropy(1e-6).setScore(0.02).setThreshold(0.3)
        .setReason("v2: score 0.02 <= 0.3").setRetractedAt(Instant.ofEpochMilli(77)).build();
    assertEquals(r, AvroSerde.retraction().decode(AvroSerde.retraction().encode(r)));
  }

  @Test
  void aRetractionWhoseIdClaimsGigabytesIsRefusedBeforeAllocating() {
    // The varint of 2,000,000,000 where sampleId's length goes, behind a real header: the
    // LengthPrefixCheck path every serde shares.
    byte[] good = AvroSerde.retraction().encode(Retraction.newBuilder().setSampleId("s").setLabel(0)
        .setReleasedByVersion(1).setVictimModelId("victim").setVictimVersion(2).setEntropy(0).setScore(0)
        .setThreshold(0).setReason("").setRetractedAt(Instant.EPOCH).build());
    byte[] forged = Arrays.copyOf(good, 15);
    System.arraycopy(new byte[] {(byte) 0x80, (byte) 0xd0, (byte) 0xac, (byte) 0xf3, 0x0e}, 0, forged, 10, 5);
    SerializationException e = assertThrows(SerializationException.class, () -> AvroSerde.retraction().decode(forged));
    assertTrue(e.getMessage().contains("Retraction.sampleId declares 2000000000 bytes"), e.getMessage());
  }

  @Test
  void decodesWhatThePythonExampleWrites() throws Exception {
    // Written by docs/examples/publish_sample.py's single_object() with python3-avro 1.11.
    byte[] bytes;
    try (InputStream in = getClass().getResourceAsStream("/python-labeled-sample.bin")) {
      bytes = in.readAllBytes();
    }
    LabeledSample s = AvroSerde.labeledSample().decode(bytes);
    assertEquals("python-vector-1", s.getId());
    assertEquals(3, s.getLabel());
    assertEquals(Instant.ofEpochSecond(1_700_000_000L), s.getEventTime());
    assertEquals(784, s.getPixels().remaining());
    assertEquals(Map.of("origin", "test"), s.getMetadata());
    // And Java writes exactly the same bytes for the same record.
    assertArrayEquals(bytes, AvroSerde.labeledSample().encode(s));
  }

  @Test
  void decodesAPngThePythonExampleSends() throws Exception {
    // Written by docs/examples/publish_sample.py's image_pixels() and single_object() (python3-pil,
    // python3-avro 1.11) from a 5x3 RGB PNG whose pixel (x, y) is (40x, 80y, 7).
    byte[] bytes;
    try (InputStream in = getClass().getResourceAsStream("/python-png-sample.bin")) {
      bytes = in.readAllBytes();
    }
    LabeledSample s = AvroSerde.labeledSample().decode(bytes);
    assertEquals(3, s.getHeight());
    assertEquals(5, s.getWidth());
    assertEquals(3, s.getChannels());
    byte[] pixels = new byte[s.getPixels().remaining()];
    s.getPixels().duplicate().get(pixels);
    int at = (2 * 5 + 4) * 3; // row 2, column 4, channels last
    assertArrayEquals(new byte[] {(byte) 160, (byte) 160, 7}, Arrays.copyOfRange(pixels, at, at + 3));
  }

  @Test
  void malformedBytesGiveReadableErrors() {
    AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();
    assertTrue(assertThrows(SerializationException.class, () -> serde.decode(new byte[0])).getMessage().contains("empty"));
    assertTrue(assertThrows(SerializationException.class, () -> serde.decode("hello".getBytes())).getMessage()
        .contains("C3 01"));
    byte[] good = serde.encode(sample());
    byte[] wrongFingerprint = good.clone();
    wrongFingerprint[5] ^= 0x55;
    assertTrue(assertThrows(SerializationException.class, () -> serde.decode(wrongFingerprint)).getMessage()
        .contains("fingerprint"));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    assertTrue(assertThrows(SerializationException.class, () -> serde.decode(truncated)).getMessage()
        .contains("cannot decode"));
  }
}

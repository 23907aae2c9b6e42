package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.ForgedRecords;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class VerdictRecordTest {

  private static final AvroSerde<Verdict> SERDE = AvroSerde.verdict();
  private static final Architecture ARCH = Architecture.FMNIST_CNN_V1;
  private static final AvroSerde<Retraction> RETRACTIONS = AvroSerde.retraction();

  @Test
  void decodesACredibleVerdict() {
    LabeledSample sample = TestData.sample("a", 3, new byte[28 * 28]);
    VerdictRecord r = VerdictRecord.decode(record(7, SERDE.encode(TestData.credible(sample))), SERDE, ARCH, Decision.CREDIBLE);
    assertFalse(r.skipped());
    assertFalse(r.quarantined());
    assertNull(r.skipReason());
    assertEquals("a", r.sample().getId());
    assertEquals(3, r.sample().getLabel());
    assertEquals("credible-1@7", r.position());
  }

  @Test
  void skipsBytesThatAreNotAVerdictAndSaysWhere() {
    VerdictRecord r = VerdictRecord.decode(record(9, new byte[] {1, 2, 3}), SERDE, ARCH, Decision.CREDIBLE);
    assertTrue(r.skipped());
    assertEquals(9, r.offset());
    assertTrue(r.skipReason().contains("credible-1@9") && r.skipReason().contains("not a Verdict"), r.skipReason());
  }

  @Test
  void skipsAVerdictWhoseAvroLengthIsForgedBeforeAnythingIsAllocated() {
    byte[] forged = ForgedRecords.asVerdict(ForgedRecords.forgedPixelsLength("forged"));
    VerdictRecord r = VerdictRecord.decode(record(11, forged), SERDE, ARCH, Decision.CREDIBLE);
    assertTrue(r.skipped());
    assertTrue(r.skipReason().contains("Verdict.sample.pixels declares " + ForgedRecords.FORGED_LENGTH + " bytes"),
        r.skipReason());
  }

  @Test
  void skipsAQuarantineVerdictOnTheCredibleTopicAndACredibleOneOnTheQuarantineTopic() {
    Verdict v = TestData.verdict(TestData.sample("q", 1, new byte[28 * 28]), Decision.QUARANTINE);
    VerdictRecord r = VerdictRecord.decode(record(1, SERDE.encode(v)), SERDE, ARCH, Decision.CREDIBLE);
    assertTrue(r.skipped());
    assertTrue(r.skipReason().contains("has decision QUARANTINE, expected CREDIBLE on the credible topic"),
        r.skipReason());

    VerdictRecord c = VerdictRecord.decode(record(2, SERDE.encode(TestData.credible(TestData.sample("c", 1,
        new byte[28 * 28])))), SERDE, ARCH, Decision.QUARANTINE);
    assertTrue(c.skipped());
    assertTrue(c.quarantined());
    assertTrue(c.skipReason().contains("has decision CREDIBLE, expected QUARANTINE on the quarantine topic"),
        c.skipReason());
  }

  @Test
  void decodesAQuarantineVerdictAsUnlabelledData() {
    Verdict v = TestData.verdict(TestData.sample("q", 0, new byte[28 * 28]), Decision.QUARANTINE);
    VerdictRecord r = VerdictRecord.decode(record(5, SERDE.encode(v)), SERDE, ARCH, Decision.QUARANTINE);
    assertFalse(r.skipped());
    assertTrue(r.quarantined());
    assertEquals("q", r.sample().getId());
  }

  @Test
  void skipsSamplesTheNetworkCannotTake() {
    VerdictRecord small = VerdictRecord.decode(record(2, SERDE.encode(TestData.credible(
        TestData.sample("small", 1, new byte[28 * 27])))), SERDE, ARCH, Decision.CREDIBLE);
    assertTrue(small.skipReason().contains("sample.pixels has 756 bytes, expected 784"), small.skipReason());

    LabeledSample wide = TestData.sample("wide", 1, new byte[28 * 28]);
    wide.setWidth(32);
    VerdictRecord r = VerdictRecord.decode(record(3, SERDE.encode(TestData.credible(wide))), SERDE, ARCH, Decision.CREDIBLE);
    assertTrue(r.skipReason().contains("sample.height/width/channels is 28x32x1, expected 28x28x1"), r.skipReason());

    VerdictRecord label = VerdictRecord.decode(record(4, SERDE.encode(TestData.credible(
        TestData.sample("label", 10, new byte[28 * 28])))), SERDE, ARCH, Decision.CREDIBLE);
    assertTrue(label.skipReason().contains("sample.label is 10, expected a class in [0, 10)"), label.skipReason());
    assertTrue(label.skipReason().contains("sample label"), label.skipReason());
  }

  @Test
  void acceptsAWellFormedRetraction() {
    VerdictRecord r = VerdictRecord.decodeRetraction(retractionRecord("p-7", RETRACTIONS.encode(
        TestData.retraction("p-7", 0, 1, 2))), RETRACTIONS, ARCH.numClasses());
    assertFalse(r.skipped());
    assertFalse(r.quarantined());
    assertEquals(VerdictRecord.Source.RETRACTIONS, r.source());
    assertNull(r.sample(), "a retraction carries no sample to train on");
    assertEquals("p-7", r.retraction().getSampleId());
  }

  @Test
  void refusesEveryMalformedOrForgedRetractionWithAReason() {
    Map<String, VerdictRecord> refused = new LinkedHashMap<>();
    refused.put("not a Retraction: not Avro single-object encoding",
        VerdictRecord.decodeRetraction(retractionRecord("p-1", new byte[] {1, 2, 3}), RETRACTIONS, 10));
    byte[] good = RETRACTIONS.encode(TestData.retraction("p", 0, 1, 2));
    byte[] forgedLength = Arrays.copyOf(good, 15);
    System.arraycopy(new byte[] {(byte) 0x80, (byte) 0xd0, (byte) 0xac, (byte) 0xf3, 0x0e}, 0, forgedLength, 10, 5);
    refused.put("Retraction.sampleId declares 2000000000 bytes",
        VerdictRecord.decodeRetraction(retractionRecord("p", forgedLength), RETRACTIONS, 10));
    refused.put("field sampleId is empty", VerdictRecord.decodeRetraction(retractionRecord("",
        RETRACTIONS.encode(TestData.retraction("", 0, 1, 2))), RETRACTIONS, 10));
    refused.put("record key 'clean-3', expected the sampleId 'p-1'", VerdictRecord.decodeRetraction(
        retractionRecord("clean-3", RETRACTIONS.encode(TestData.retraction("p-1", 0, 1, 2))), RETRACTIONS, 10));
    refused.put("record key is null, expected the sampleId 'p-1'", VerdictRecord.decodeRetraction(
        retractionRecord(null, RETRACTIONS.encode(TestData.retraction("p-1", 0, 1, 2))), RETRACTIONS, 10));
    refused.put("field label is -1, expected a class in [0, 10)", VerdictRecord.decodeRetraction(
        retractionRecord("p-1", RETRACTIONS.encode(TestData.retraction("p-1", -1, 1, 2))), RETRACTIONS, 10));
    refused.put("field victimVersion is 3, expected a version newer than releasedByVersion 5",
        VerdictRecord.decodeRetraction(retractionRecord("p-1", RETRACTIONS.encode(TestData.retraction("p-1", 0, 5, 3))),
            RETRACTIONS, 10));
    refused.forEach((reason, r) -> {
      assertTrue(r.skipped(), reason);
      assertEquals(VerdictRecord.Source.RETRACTIONS, r.source());
      assertTrue(r.skipReason().startsWith("refused retraction retractions-0@4: "), r.skipReason());
      assertTrue(r.skipReason().contains(reason), r.skipReason());
    });
  }

  private static ConsumerRecord<byte[], byte[]> retractionRecord(String key, byte[] value) {
    return new ConsumerRecord<>("retractions", 0, 4, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
    return new ConsumerRecord<>("credible", 1, offset, null, value);
  }
}

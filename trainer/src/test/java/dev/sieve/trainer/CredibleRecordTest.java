package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class CredibleRecordTest {

  private static final AvroSerde<Verdict> SERDE = AvroSerde.verdict();
  private static final Architecture ARCH = Architecture.FMNIST_CNN_V1;

  @Test
  void decodesACredibleVerdict() {
    LabeledSample sample = TestData.sample("a", 3, new byte[28 * 28]);
    CredibleRecord r = CredibleRecord.decode(record(7, SERDE.encode(TestData.credible(sample))), SERDE, ARCH);
    assertFalse(r.skipped());
    assertNull(r.skipReason());
    assertEquals("a", r.sample().getId());
    assertEquals(3, r.sample().getLabel());
    assertEquals("credible-1@7", r.position());
  }

  @Test
  void skipsBytesThatAreNotAVerdictAndSaysWhere() {
    CredibleRecord r = CredibleRecord.decode(record(9, new byte[] {1, 2, 3}), SERDE, ARCH);
    assertTrue(r.skipped());
    assertEquals(9, r.offset());
    assertTrue(r.skipReason().contains("credible-1@9") && r.skipReason().contains("not a Verdict"), r.skipReason());
  }

  @Test
  void skipsAQuarantineVerdict() {
    Verdict v = TestData.verdict(TestData.sample("q", 1, new byte[28 * 28]), Decision.QUARANTINE);
    CredibleRecord r = CredibleRecord.decode(record(1, SERDE.encode(v)), SERDE, ARCH);
    assertTrue(r.skipped());
    assertTrue(r.skipReason().contains("QUARANTINE"), r.skipReason());
  }

  @Test
  void skipsSamplesTheNetworkCannotTake() {
    CredibleRecord small = CredibleRecord.decode(record(2, SERDE.encode(TestData.credible(
        TestData.sample("small", 1, new byte[28 * 27])))), SERDE, ARCH);
    assertTrue(small.skipReason().contains("sample.pixels has 756 bytes, expected 784"), small.skipReason());

    LabeledSample wide = TestData.sample("wide", 1, new byte[28 * 28]);
    wide.setWidth(32);
    CredibleRecord r = CredibleRecord.decode(record(3, SERDE.encode(TestData.credible(wide))), SERDE, ARCH);
    assertTrue(r.skipReason().contains("sample.height/width/channels is 28x32x1, expected 28x28x1"), r.skipReason());

    CredibleRecord label = CredibleRecord.decode(record(4, SERDE.encode(TestData.credible(
        TestData.sample("label", 10, new byte[28 * 28])))), SERDE, ARCH);
    assertTrue(label.skipReason().contains("sample.label is 10, expected a class in [0, 10)"), label.skipReason());
    assertTrue(label.skipReason().contains("sample label"), label.skipReason());
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
    return new ConsumerRecord<>("credible", 1, offset, null, value);
  }
}

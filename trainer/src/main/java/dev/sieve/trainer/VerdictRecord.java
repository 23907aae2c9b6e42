package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * One record of the credible or the quarantine topic after decoding: where it came from, which
 * of the two it is (a credible sample is labelled data for the Beneficiary, a quarantined one is
 * unlabelled data), and either the sample or why it is skipped. A skipped record still carries
 * its offset, because having looked at it counts as having consumed it: the checkpoint moves past
 * it and a restart does not read it again.
 *
 * @param quarantined whether the record came from the quarantine topic
 * @param sample the sample, or null when the record is skipped
 * @param skipReason why it is skipped, or null when there is a sample
 */
public record VerdictRecord(String topic, int partition, long offset, boolean quarantined, LabeledSample sample,
    String skipReason) {

  public boolean skipped() {
    return sample == null;
  }

  /** Where the record came from, as a person would look it up: {@code topic-partition@offset}. */
  public String position() {
    return topic + "-" + partition + "@" + offset;
  }

  /**
   * Decodes a Verdict of the topic that carries {@code expected} decisions and checks that its
   * sample fits {@code architecture}. Never throws: a record that cannot be used comes back
   * skipped, with a reason naming the field.
   */
  public static VerdictRecord decode(ConsumerRecord<byte[], byte[]> record, AvroSerde<Verdict> serde,
      Architecture architecture, Decision expected) {
    boolean quarantined = expected == Decision.QUARANTINE;
    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
    Verdict verdict;
    try {
      verdict = serde.decode(record.value());
    } catch (SerializationException e) {
      return skip(record, quarantined, "record " + where + " is not a Verdict: " + e.getMessage());
    }
    if (verdict.getDecision() != expected) {
      return skip(record, quarantined, "record " + where + " has decision " + verdict.getDecision()
          + ", expected " + expected + " on " + (quarantined ? "the quarantine" : "the credible") + " topic");
    }
    LabeledSample sample = verdict.getSample();
    String problem = problem(sample, architecture);
    if (problem != null) {
      return skip(record, quarantined, "record " + where + " (sample " + sample.getId() + "): " + problem);
    }
    return new VerdictRecord(record.topic(), record.partition(), record.offset(), quarantined, sample, null);
  }

  /** What makes the sample unusable for the architecture, or null if it is usable. */
  static String problem(LabeledSample s, Architecture a) {
    if (s.getHeight() != a.height() || s.getWidth() != a.width() || s.getChannels() != a.channels()) {
      return "field sample.height/width/channels is " + s.getHeight() + "x" + s.getWidth() + "x" + s.getChannels()
          + ", expected " + a.height() + "x" + a.width() + "x" + a.channels() + " for " + a.id();
    }
    if (s.getLabel() < 0 || s.getLabel() >= a.numClasses()) {
      return "field sample.label is " + s.getLabel() + ", expected a class in [0, " + a.numClasses() + ")";
    }
    int bytesPerValue = s.getEncoding() == PixelEncoding.FLOAT32_LE ? 4 : 1;
    long expected = (long) a.pixelsPerImage() * bytesPerValue;
    int actual = s.getPixels() == null ? 0 : s.getPixels().remaining();
    if (actual != expected) {
      return "field sample.pixels has " + actual + " bytes, expected " + expected + " ("
          + a.height() + "x" + a.width() + "x" + a.channels() + " " + s.getEncoding() + ")";
    }
    return null;
  }

  private static VerdictRecord skip(ConsumerRecord<byte[], byte[]> record, boolean quarantined, String reason) {
    return new VerdictRecord(record.topic(), record.partition(), record.offset(), quarantined, null, reason);
  }
}

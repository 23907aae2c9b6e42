package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * One record of the credible, the quarantine or the retractions topic after decoding: where it
 * came from, which of the three it is (a credible sample is labelled data for the Beneficiary, a
 * quarantined one is unlabelled data, a retraction takes a credible one back), and either its
 * content or why it is skipped. A skipped record still carries its offset, because having looked
 * at it counts as having consumed it: the checkpoint moves past it and a restart does not read it
 * again.
 *
 * @param source which of the trainer's topics the record came from
 * @param sample the sample of a usable verdict, else null
 * @param retraction the retraction of a usable retractions record, else null
 * @param skipReason why it is skipped, or null when there is a sample or a retraction
 */
public record VerdictRecord(String topic, int partition, long offset, Source source, LabeledSample sample,
    Retraction retraction, String skipReason) {

  /** The trainer's three input topics. */
  public enum Source { CREDIBLE, QUARANTINE, RETRACTIONS }

  public boolean skipped() {
    return sample == null && retraction == null;
  }

  /** Whether the record came from the quarantine topic. */
  public boolean quarantined() {
    return source == Source.QUARANTINE;
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
    Source source = expected == Decision.QUARANTINE ? Source.QUARANTINE : Source.CREDIBLE;
    boolean quarantined = source == Source.QUARANTINE;
    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
    Verdict verdict;
    try {
      verdict = serde.decode(record.value());
    } catch (SerializationException e) {
      return skip(record, source, "record " + where + " is not a Verdict: " + e.getMessage());
    }
    if (verdict.getDecision() != expected) {
      return skip(record, source, "record " + where + " has decision " + verdict.getDecision()
          + ", expected " + expected + " on " + (quarantined ? "the quarantine" : "the credible") + " topic");
    }
    LabeledSample sample = verdict.getSample();
    String problem = problem(sample, architecture);
    if (problem != null) {
      return skip(record, source, "record " + where + " (sample " + sample.getId() + "): " + problem);
    }
    return new VerdictRecord(record.topic(), record.partition(), record.offset(), source, sample, null, null);
  }

  /**
   * Decodes a record of the retractions topic and accepts it only if it is well-formed: Avro that
   * decodes, a non-empty sample id equal to the record key, a claimed label in [0, numClasses), and
   * a retracting version newer than the releasing one. Never throws: anything else comes back
   * skipped, with a reason naming the field (the caller counts it as refused).
   *
   * <p>What a forged retraction that passes can do is bounded by what the trainer does with it: it
   * drops the named id and unlearns its own copy of that sample, if it holds one; it never trains
   * on anything the record carries.
   */
  public static VerdictRecord decodeRetraction(ConsumerRecord<byte[], byte[]> record, AvroSerde<Retraction> serde,
      int numClasses) {
    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
    Retraction retraction;
    try {
      retraction = serde.decode(record.value());
    } catch (SerializationException e) {
      return skip(record, Source.RETRACTIONS, "refused retraction " + where + ": not a Retraction: " + e.getMessage());
    }
    String id = retraction.getSampleId();
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    String problem = null;
    if (id.isEmpty()) {
      problem = "field sampleId is empty";
    } else if (!id.equals(key)) {
      problem = "record key " + (key == null ? "is null" : "'" + key + "'") + ", expected the sampleId '" + id + "'";
    } else if (retraction.getLabel() < 0 || retraction.getLabel() >= numClasses) {
      problem = "field label is " + retraction.getLabel() + ", expected a class in [0, " + numClasses + ")";
    } else if (retraction.getVictimVersion() <= retraction.getReleasedByVersion()) {
      problem = "field victimVersion is " + retraction.getVictimVersion() + ", expected a version newer than"
          + " releasedByVersion " + retraction.getReleasedByVersion();
    }
    if (problem != null) {
      return skip(record, Source.RETRACTIONS, "refused retraction " + where + ": " + problem);
    }
    return new VerdictRecord(record.topic(), record.partition(), record.offset(), Source.RETRACTIONS, null,
        retraction, null);
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

  private static VerdictRecord skip(ConsumerRecord<byte[], byte[]> record, Source source, String reason) {
    return new VerdictRecord(record.topic(), record.partition(), record.offset(), source, null, null, reason);
  }
}

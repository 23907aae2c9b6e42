package dev.sieve.stream.topology;

import dev.sieve.schemas.DeadLetter;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every raw sample record either on to the batcher (decoded) or to the dead-letter topic
 * (byte for byte, with the reason). Nothing a producer writes can stop the stream: every record
 * takes one of the two ways.
 *
 * <p>A valid sample whose id was already accepted within the duplicate window is dead-lettered as
 * {@link ErrorClass#DUPLICATE_ID}, naming where the first copy was: a resent sample would
 * otherwise count twice in training and in every rate. The ids live in a changelogged window
 * store, so under exactly-once the check and the verdict commit together. Samples are keyed by id,
 * so both copies land in the same partition and the same task sees them.
 */
final class ValidationProcessor implements Processor<byte[], byte[], byte[], SpecificRecord> {

  private static final Logger log = LoggerFactory.getLogger(ValidationProcessor.class);

  private final SampleValidator validator;
  private final FilterMetrics metrics;
  private final Duration duplicateWindow;
  private ProcessorContext<byte[], SpecificRecord> context;
  private WindowStore<String, String> seenIds;

  ValidationProcessor(SampleValidator validator, FilterMetrics metrics, Duration duplicateWindow) {
    this.validator = validator;
    this.metrics = metrics;
    this.duplicateWindow = duplicateWindow;
  }

  @Override
  public void init(ProcessorContext<byte[], SpecificRecord> context) {
    this.context = context;
    this.seenIds = context.getStateStore(FilterTopology.SEEN_IDS_STORE);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    Validation validation;
    try {
      validation = validator.validate(record.key(), record.value());
    } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
      // A validator bug must not become a poison pill that stops the partition: the record would
      // never commit and the instance would die on it again after every restart.
      validation = Validation.validatorFailed(e);
    }
    if (validation instanceof Validation.Valid valid) {
      String firstSeen = firstSeen(valid.sample().getId(), record.timestamp());
      if (firstSeen != null) {
        deadLetter(record, Validation.duplicate(valid.sample().getId(), firstSeen, duplicateWindow));
        return;
      }
      seenIds.put(valid.sample().getId(), here(), record.timestamp());
      context.forward(record.withValue(valid.sample()), FilterTopology.BATCHER);
      metrics.sampleAccepted();
    } else if (validation instanceof Validation.Invalid invalid) {
      deadLetter(record, invalid);
    }
  }

  /** Where the first copy of this id within the window was seen, or null when it is new. */
  private String firstSeen(String id, long timestamp) {
    long span = duplicateWindow.toMillis();
    try (WindowStoreIterator<String> hits = seenIds.fetch(id, timestamp - span, timestamp + span)) {
      return hits.hasNext() ? hits.next().value : null;
    }
  }

  private String here() {
    return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("unknown");
  }

  private void deadLetter(Record<byte[], byte[]> record, Validation.Invalid invalid) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    DeadLetter letter = invalid.deadLetter(record.key(), record.value(), topic, partition, offset,
        Instant.ofEpochMilli(context.currentSystemTimeMs()));
    log.warn("dead-lettering {}-{}@{}: {} {}", topic, partition, offset, invalid.errorClass(), invalid.reason());
    context.forward(new Record<byte[], SpecificRecord>(record.key(), letter, record.timestamp(), record.headers()),
        FilterTopology.DEAD_LETTER_SINK);
    metrics.deadLettered(invalid.errorClass());
  }
}

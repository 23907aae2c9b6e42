package dev.sieve.stream.topology;

import dev.sieve.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every raw sample record either on to the batcher (decoded) or to the dead-letter topic
 * (byte for byte, with the reason). Nothing a producer writes can stop the stream: every record
 * takes one of the two ways.
 */
final class ValidationProcessor implements Processor<byte[], byte[], byte[], SpecificRecord> {

  private static final Logger log = LoggerFactory.getLogger(ValidationProcessor.class);

  private final SampleValidator validator;
  private ProcessorContext<byte[], SpecificRecord> context;

  ValidationProcessor(SampleValidator validator) {
    this.validator = validator;
  }

  @Override
  public void init(ProcessorContext<byte[], SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    Validation validation;
    try {
      validation = validator.validate(record.key(), record.value());
    } catch (RuntimeException e) {
      // A validator bug must not become a poison pill that stops the partition.
      validation = Validation.invalid(ErrorClass.BAD_AVRO, "record could not be validated: " + e);
    }
    if (validation instanceof Validation.Valid valid) {
      context.forward(record.withValue(valid.sample()), FilterTopology.BATCHER);
    } else if (validation instanceof Validation.Invalid invalid) {
      deadLetter(record, invalid);
    }
  }

  private void deadLetter(Record<byte[], byte[]> record, Validation.Invalid invalid) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    DeadLetter letter = DeadLetter.newBuilder()
        .setRawKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        .setRawValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setSourceTopic(topic)
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .setErrorClass(invalid.errorClass().name())
        .setReason(invalid.reason())
        .setFailedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .build();
    log.warn("dead-lettering {}-{}@{}: {} {}", topic, partition, offset, invalid.errorClass(), invalid.reason());
    context.forward(new Record<byte[], SpecificRecord>(record.key(), letter, record.timestamp(), record.headers()),
        FilterTopology.DEAD_LETTER_SINK);
  }
}

package dev.sieve.stream.topology;

import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.LabeledSample;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

/** The outcome of validating one raw sample record: the decoded sample, or why it was refused. */
public sealed interface Validation permits Validation.Valid, Validation.Invalid {

  static Validation valid(LabeledSample sample) {
    return new Valid(sample);
  }

  static Validation invalid(ErrorClass errorClass, String reason) {
    return new Invalid(errorClass, reason);
  }

  /**
   * A valid sample whose id was already accepted within {@code window} of record time; {@code firstSeen}
   * says where the first copy was (e.g. {@code sieve.samples-3@1204}).
   */
  static Invalid duplicate(String id, String firstSeen, Duration window) {
    return new Invalid(ErrorClass.DUPLICATE_ID, "sample id '" + id + "' was already accepted at " + firstSeen
        + " (within " + window + " of record time)");
  }

  /**
   * The refusal of a record the validator threw on: a validator bug dead-letters the record as
   * {@link ErrorClass#BAD_AVRO} instead of stopping the stream that validates it.
   */
  static Invalid validatorFailed(Throwable failure) {
    return new Invalid(ErrorClass.BAD_AVRO, "record could not be validated: " + failure);
  }

  /** A sample that may be scored. */
  record Valid(LabeledSample sample) implements Validation {}

  /** A record to dead-letter; {@code reason} names the field, what was found and what was expected. */
  record Invalid(ErrorClass errorClass, String reason) implements Validation {

    /** The dead letter for the refused record: its raw bytes, where it came from, and this reason. */
    public DeadLetter deadLetter(byte[] key, byte[] value, String topic, int partition, long offset, Instant failedAt) {
      return DeadLetter.newBuilder()
          .setRawKey(key == null ? null : ByteBuffer.wrap(key))
          .setRawValue(value == null ? null : ByteBuffer.wrap(value))
          .setSourceTopic(topic)
          .setSourcePartition(partition)
          .setSourceOffset(offset)
          .setErrorClass(errorClass.name())
          .setReason(reason)
          .setFailedAt(failedAt)
          .build();
    }
  }
}

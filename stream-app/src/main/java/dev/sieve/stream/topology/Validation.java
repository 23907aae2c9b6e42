package dev.sieve.stream.topology;

import dev.sieve.schemas.LabeledSample;

/** The outcome of validating one raw sample record: the decoded sample, or why it was refused. */
public sealed interface Validation permits Validation.Valid, Validation.Invalid {

  static Validation valid(LabeledSample sample) {
    return new Valid(sample);
  }

  static Validation invalid(ErrorClass errorClass, String reason) {
    return new Invalid(errorClass, reason);
  }

  /** A sample that may be scored. */
  record Valid(LabeledSample sample) implements Validation {}

  /** A record to dead-letter; {@code reason} names the field, what was found and what was expected. */
  record Invalid(ErrorClass errorClass, String reason) implements Validation {}
}

package dev.sieve.stream.topology;

/** Machine-readable kinds of malformed sample records; the name goes into DeadLetter.errorClass. */
public enum ErrorClass {
  /** The value is not a decodable LabeledSample: bad header, unknown fingerprint or truncated body. */
  BAD_AVRO,
  /** The value is null (a tombstone) or zero bytes. */
  EMPTY_VALUE,
  /** The record key is null or zero bytes; samples are keyed by id. */
  MISSING_KEY,
  /** The value is larger than maxRecordBytes; refused before decoding. */
  OVERSIZED_RECORD,
  /** The sample id is empty. */
  EMPTY_ID,
  /** height, width or channels differ from the configured image shape. */
  WRONG_IMAGE_SIZE,
  /** The label is outside [0, numClasses). */
  LABEL_OUT_OF_RANGE,
  /** The pixels hold no bytes at all. */
  EMPTY_PIXELS,
  /** The pixel byte count is not height x width x channels x bytes-per-value. */
  PIXEL_LENGTH_MISMATCH,
  /** A FLOAT32_LE pixel is NaN or infinite. */
  NON_FINITE_PIXELS,
  /** A FLOAT32_LE pixel lies outside [0, 1]. */
  PIXEL_OUT_OF_RANGE,
  /** A sample with the same id was already accepted within the duplicate window. */
  DUPLICATE_ID,
  /** The record key is not the sample's id (UTF-8); the duplicate check depends on it. */
  KEY_ID_MISMATCH
}

package dev.sieve.model.checkpoint;

/** A checkpoint that cannot be trusted or read; the message says which file and why. */
public final class CheckpointException extends RuntimeException {

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}

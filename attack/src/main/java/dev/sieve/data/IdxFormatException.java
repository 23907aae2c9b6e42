package dev.sieve.data;

import java.io.IOException;
import java.nio.file.Path;

/** An IDX file whose content does not match the IDX format; the message names the file. */
public final class IdxFormatException extends IOException {

  private final Path file;

  public IdxFormatException(Path file, String problem) {
    super("IDX file " + file + ": " + problem);
    this.file = file;
  }

  public IdxFormatException(Path file, String problem, Throwable cause) {
    super("IDX file " + file + ": " + problem, cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}

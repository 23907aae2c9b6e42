package dev.sieve.eval.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a report file whole or not at all. The report is rewritten after every evaluation cell,
 * and a person (or a browser refreshing) may open it meanwhile: they see the previous version or
 * the new one, never half a file.
 */
final class AtomicFile {

  private AtomicFile() {}

  /** Writes {@code bytes} to a temporary file beside {@code file}, then renames it over {@code file}. */
  static void write(Path file, byte[] bytes) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      // Not Files.createTempFile: its files are private to the owner, and a report is for others to read.
      temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
      Files.write(temp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write report file " + target, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The write already failed or succeeded; a stray temporary file is all that is left.
        }
      }
    }
  }
}

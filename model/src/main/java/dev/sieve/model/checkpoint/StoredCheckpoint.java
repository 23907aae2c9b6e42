package dev.sieve.model.checkpoint;

import java.net.URI;
import java.nio.file.Path;

/** A checkpoint file that has been written completely, with the SHA-256 of its bytes. */
public record StoredCheckpoint(Path path, String sha256, CheckpointMeta meta) {

  public URI uri() {
    return path.toUri();
  }
}

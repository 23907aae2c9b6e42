package dev.sieve.model.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sieve.model.versions.ModelTrust;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints in a directory, one file per model version, written so that a reader never sees a
 * half-written one.
 *
 * <p>A file is {@code MAGIC, header length, JSON header, parameter length, DJL parameters}. It is
 * written to a temp file, forced to disk, and renamed into place; then its SHA-256 is written
 * the same way to a {@code .sha256} sidecar. A checkpoint counts as complete only once its
 * sidecar exists and matches, so a crash at any point leaves the previous complete checkpoint as
 * the latest one, and a truncated or tampered file is refused. A process killed mid-write leaves
 * at most a {@code .tmp-<pid>} file, which no reader looks at, or a checkpoint without its
 * sidecar, which {@link #latest} skips ({@code CheckpointCrashIT} kills a writer to prove it).
 */
public final class CheckpointStore {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final byte[] MAGIC = "SIEVE-CKPT-1\n".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern FILE_NAME = Pattern.compile("(.+)-v(\\d{10})\\.ckpt");
  /** Guards against allocating gigabytes because of a corrupt length field. */
  private static final int MAX_HEADER_BYTES = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final Path dir;

  public CheckpointStore(Path dir) {
    this.dir = dir.toAbsolutePath();
    try {
      Files.createDirectories(this.dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create checkpoint directory " + this.dir, e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** Writes a new checkpoint atomically and returns where it is and its SHA-256. */
  public StoredCheckpoint write(CheckpointMeta meta, byte[] parameters) {
    Path target = dir.resolve(fileName(meta.modelId(), meta.version()));
    try {
      byte[] header = JSON.writeValueAsBytes(meta);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(parameters.length + header.length + 64);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.write(MAGIC);
        out.writeInt(header.length);
        out.write(header);
        out.writeLong(parameters.length);
        out.write(parameters);
      }
      byte[] content = bytes.toByteArray();
      String sha = sha256(content);
      writeAtomically(target, content);
      writeAtomically(sidecar(target), (sha + "  " + target.getFileName() + "\n").getBytes(StandardCharsets.US_ASCII));
      return new StoredCheckpoint(target, sha, meta);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + target, e);
    }
  }

  /**
   * Reads a checkpoint this process names itself (its own store, a command-line argument) and
   * refuses it unless its bytes hash to {@code expectedSha256}. Accepts a {@code file:} URI or a
   * plain path. A checkpoint named by a message from a topic goes through {@link #readWithin}.
   */
  public static Checkpoint read(String uriOrPath, String expectedSha256) {
    Path path = toPath(uriOrPath);
    return verify(path, readCapped(path, uriOrPath, ModelTrust.DEFAULT_MAX_CHECKPOINT_BYTES), expectedSha256);
  }

  /**
   * Reads a checkpoint that a published {@code ModelVersion} names, which anyone who can write the
   * topic may have written: the path must resolve, symlinks followed, to a regular file inside
   * {@code root}, with no {@code ..} segment, no larger than {@code maxBytes}, and its bytes must
   * hash to {@code expectedSha256}. Each refusal is a {@link CheckpointException} that says which
   * rule the path broke.
   */
  public static Checkpoint readWithin(Path root, String uriOrPath, String expectedSha256, long maxBytes) {
    Path path = confined(root, uriOrPath);
    return verify(path, readCapped(path, uriOrPath, maxBytes), expectedSha256);
  }

  private static Path confined(Path root, String uriOrPath) {
    Path raw;
    try {
      raw = toPath(uriOrPath);
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw new CheckpointException("checkpoint URI " + uriOrPath + " is not a usable file URI or path: " + e.getMessage(), e);
    }
    for (Path part : raw) {
      if (part.toString().equals("..")) {
        throw new CheckpointException("checkpoint " + uriOrPath + " refused: it contains a '..' segment");
      }
    }
    Path realRoot;
    try {
      realRoot = root.toRealPath();
    } catch (IOException e) {
      throw new CheckpointException("checkpoint " + uriOrPath + " refused: the checkpoint root " + root
          + " does not exist or cannot be read (" + e + ")", e);
    }
    Path real;
    try {
      real = raw.toAbsolutePath().toRealPath();
    } catch (IOException e) {
      throw new CheckpointException("checkpoint " + uriOrPath + " cannot be read: " + e, e);
    }
    if (!real.startsWith(realRoot)) {
      throw new CheckpointException("checkpoint " + uriOrPath + " refused: it resolves to " + real
          + ", outside the checkpoint root " + realRoot);
    }
    return real;
  }

  /**
   * The file's bytes, refusing what is not a regular file (a device such as /dev/zero, a pipe, a
   * directory) and reading at most {@code maxBytes} + 1, so that a file that grows while it is read
   * cannot cost more memory than the cap either.
   */
  private static byte[] readCapped(Path path, String uriOrPath, long maxBytes) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        throw new CheckpointException("checkpoint " + uriOrPath + " refused: " + path
            + " is not a regular file (a device, directory or pipe)");
      }
      if (attributes.size() > maxBytes) {
        throw new CheckpointException("checkpoint " + uriOrPath + " refused: it is " + attributes.size()
            + " bytes, more than the limit of " + maxBytes + " (--max-checkpoint-bytes)");
      }
      try (InputStream in = Files.newInputStream(path)) {
        byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (content.length > maxBytes) {
          throw new CheckpointException("checkpoint " + uriOrPath + " refused: it grew past the limit of "
              + maxBytes + " bytes while it was read");
        }
        return content;
      }
    } catch (IOException e) {
      throw new CheckpointException("checkpoint " + uriOrPath + " cannot be read: " + e, e);
    }
  }

  private static Checkpoint verify(Path path, byte[] content, String expectedSha256) {
    String actual = sha256(content);
    if (expectedSha256 == null || !actual.equalsIgnoreCase(expectedSha256.trim())) {
      throw new CheckpointException("checkpoint " + path + " refused: its sha256 is " + actual
          + " but " + expectedSha256 + " was expected (truncated, tampered with or replaced)");
    }
    return parse(path, content);
  }

  /**
   * Reads one checkpoint file, checked against the {@code .sha256} sidecar beside it: for a file
   * named on a command line rather than found by {@link #latest}.
   */
  public static StoredCheckpoint readFile(Path file) {
    Path side = sidecar(file);
    String expected;
    try {
      expected = Files.readString(side, StandardCharsets.US_ASCII).split("\\s+")[0];
    } catch (IOException e) {
      throw new CheckpointException("checkpoint " + file + " has no readable " + side.getFileName()
          + " sidecar, so its write never completed or it was copied without it: " + e.getMessage(), e);
    }
    Checkpoint checkpoint = read(file.toString(), expected);
    return new StoredCheckpoint(file.toAbsolutePath(), expected, checkpoint.meta());
  }

  /** Reads a checkpoint of this store, checked against its sidecar hash. */
  public Checkpoint read(StoredCheckpoint stored) {
    return read(stored.path().toString(), stored.sha256());
  }

  /**
   * The newest complete checkpoint of a model: the highest version whose sidecar exists and
   * whose bytes match it. Broken newer files are skipped with a warning, never loaded.
   */
  public Optional<StoredCheckpoint> latest(String modelId) {
    for (Path candidate : versionsNewestFirst(modelId)) {
      Path side = sidecar(candidate);
      if (!Files.exists(side)) {
        LOG.warn("ignoring checkpoint {}: it has no {} sidecar, so its write never completed", candidate, side.getFileName());
        continue;
      }
      try {
        String expected = Files.readString(side, StandardCharsets.US_ASCII).split("\\s+")[0];
        Checkpoint checkpoint = read(candidate.toString(), expected);
        return Optional.of(new StoredCheckpoint(candidate, expected, checkpoint.meta()));
      } catch (IOException | CheckpointException e) {
        LOG.warn("ignoring checkpoint {}: {}", candidate, e.getMessage());
      }
    }
    return Optional.empty();
  }

  private List<Path> versionsNewestFirst(String modelId) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> {
            Matcher m = FILE_NAME.matcher(p.getFileName().toString());
            return m.matches() && m.group(1).equals(modelId);
          })
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoint directory " + dir, e);
    }
  }

  private static Checkpoint parse(Path path, byte[] content) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(content))) {
      byte[] magic = in.readNBytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new CheckpointException("file " + path + " is not a Sieve checkpoint (bad magic)");
      }
      int headerLength = in.readInt();
      if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
        throw new CheckpointException("checkpoint " + path + " has an impossible header length " + headerLength);
      }
      CheckpointMeta meta = JSON.readValue(in.readNBytes(headerLength), CheckpointMeta.class);
      long paramLength = in.readLong();
      if (paramLength < 0 || paramLength > content.length) {
        throw new CheckpointException("checkpoint " + path + " has an impossible parameter length " + paramLength);
      }
      byte[] parameters = in.readNBytes((int) paramLength);
      if (parameters.length != paramLength) {
        throw new CheckpointException("checkpoint " + path + " is truncated: " + parameters.length + " of " + paramLength + " parameter bytes");
      }
      return new Checkpoint(meta, parameters);
    } catch (IOException e) {
      throw new CheckpointException("checkpoint " + path + " is malformed: " + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path target, byte[] content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory(target.getParent());
  }

  /**
   * Makes the rename itself durable: without it a power loss right after {@link #write} returned
   * could bring back the directory without the new name (the data was forced, the entry was not).
   * A killed process needs no such step, the kernel keeps the rename. Not every platform can open
   * a directory for fsync (Windows cannot), so a refusal is only logged.
   */
  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot fsync directory {} after a rename: {}", dir, e.toString());
    }
  }

  public static String fileName(String modelId, long version) {
    return String.format("%s-v%010d.ckpt", modelId, version);
  }

  private static Path sidecar(Path checkpoint) {
    return checkpoint.resolveSibling(checkpoint.getFileName() + ".sha256");
  }

  private static Path toPath(String uriOrPath) {
    if (uriOrPath.startsWith("file:")) {
      return Paths.get(URI.create(uriOrPath));
    }
    if (uriOrPath.contains("://")) {
      throw new CheckpointException("checkpoint URI " + uriOrPath + " uses an unsupported scheme; only file: is supported");
    }
    return Paths.get(uriOrPath);
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}

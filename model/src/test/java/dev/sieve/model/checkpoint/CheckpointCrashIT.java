package dev.sieve.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint writer killed with SIGKILL at random moments, most of them inside a write (it
 * writes back to back): whatever the moment, the newest complete checkpoint loads, verifies and
 * holds the network that was written, and what the kill left behind (a temp file, a checkpoint
 * without its sidecar) is ignored and overwritten by the next writer.
 */
class CheckpointCrashIT {

  private static final String MODEL_ID = "crash";
  private static final int ROUNDS = 10;
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path work;

  @Test
  @Timeout(150)
  void aWriterKilledAtRandomMomentsLeavesTheLastCompleteCheckpointLoadable() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    CheckpointStore store = new CheckpointStore(work.resolve("checkpoints"));
    int killsInsideAWrite = 0;
    for (int round = 1; round <= ROUNDS; round++) {
      Writer writer = Writer.start(store.dir(), work.resolve("writer-" + round + ".log"));
      try {
        writer.awaitFirstComplete();
        long delayMs = random.nextInt(250);
        Thread.sleep(delayMs); // the random moment of the kill, not a synchronisation
        writer.kill();

        String context = "round " + round + " (kill delays seeded " + seed + ", killed " + delayMs
            + " ms after the first write): " + writer.tail();
        assertEquals(137, writer.exitCode(), "the writer must die of SIGKILL (128 + 9); " + context);
        long reported = writer.lastComplete();
        StoredCheckpoint latest = store.latest(MODEL_ID).orElseThrow(
            () -> new AssertionError("no complete checkpoint after the kill; " + context));
        long version = latest.meta().version();
        assertTrue(version >= reported && version <= reported + 1, "latest v" + version + " but v" + reported
            + " was reported complete (at most one more write can have finished unreported); " + context);

        Checkpoint checkpoint = store.read(latest);
        assertEquals(writer.parametersSha256(), CheckpointStore.sha256(checkpoint.parameters()),
            "the checkpoint does not hold the parameters the writer wrote; " + context);
        try (Network network = Network.fromParameters(Architecture.FMNIST_CNN_V1, checkpoint.parameters())) {
          assertEquals(writer.parametersSha256(), CheckpointStore.sha256(network.parameters()),
              "the loaded network does not hold every parameter; " + context);
        }

        List<String> leftovers = leftoversBeyond(store.dir(), version);
        // The next version's temp file, its renamed file without a sidecar, or the sidecar's temp file.
        if (leftovers.stream().anyMatch(name -> name.startsWith(CheckpointStore.fileName(MODEL_ID, version + 1)))) {
          killsInsideAWrite++;
        }
        System.out.printf("CheckpointCrashIT round %d: killed %d ms after the first write, v%d reported,"
            + " latest complete v%d, left behind %s%n", round, delayMs, reported, version, leftovers);
      } finally {
        writer.kill();
      }
    }
    System.out.printf("CheckpointCrashIT: %d of %d kills landed inside a write of the next version%n",
        killsInsideAWrite, ROUNDS);

    StoredCheckpoint good = store.latest(MODEL_ID).orElseThrow();
    assertTruncatedAndTamperedCopiesAreRefused(store, good);
  }

  /**
   * What a kill can leave at each step of a write, planted deterministically (the random kills
   * above hit some of these steps only by chance): a half-written temp file of the checkpoint, a
   * renamed checkpoint whose sidecar never came, and a half-written temp file of that sidecar.
   * latest() ignores them all, and the next write of that version replaces them.
   */
  @Test
  void whatAnInterruptedWriteLeavesIsIgnoredAndTheNextWriteReplacesIt() throws IOException {
    CheckpointStore store = new CheckpointStore(work.resolve("planted"));
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    StoredCheckpoint complete = store.write(new CheckpointMeta(MODEL_ID, 1, "fmnist-cnn-v1", at, Map.of(), Map.of()),
        new byte[] {1, 2, 3});
    byte[] v2 = Files.readAllBytes(complete.path());
    String v2Name = CheckpointStore.fileName(MODEL_ID, 2);
    Files.write(store.dir().resolve(v2Name + ".tmp-999999"), Arrays.copyOf(v2, v2.length / 2));
    Files.write(store.dir().resolve(v2Name), v2);
    Files.write(store.dir().resolve(v2Name + ".sha256.tmp-999999"), "3f".getBytes(StandardCharsets.US_ASCII));
    Files.write(store.dir().resolve(CheckpointStore.fileName(MODEL_ID, 3) + ".tmp-999999"), new byte[0]);

    assertEquals(complete.path(), store.latest(MODEL_ID).orElseThrow().path(),
        "temp files and a checkpoint without its sidecar must not count as complete");

    StoredCheckpoint rewritten = store.write(new CheckpointMeta(MODEL_ID, 2, "fmnist-cnn-v1", at, Map.of(), Map.of()),
        new byte[] {4, 5, 6});
    StoredCheckpoint latest = store.latest(MODEL_ID).orElseThrow();
    assertEquals(rewritten.path(), latest.path());
    assertEquals(2, latest.meta().version());
    assertArrayEquals(new byte[] {4, 5, 6}, store.read(latest).parameters());
  }

  /**
   * Copies of a complete checkpoint, as newer versions with the original's sidecar: one cut short,
   * one with a flipped bit. Both are refused naming sha256, and latest() falls back to the original.
   */
  private static void assertTruncatedAndTamperedCopiesAreRefused(CheckpointStore store, StoredCheckpoint good)
      throws IOException {
    byte[] bytes = Files.readAllBytes(good.path());
    long v = good.meta().version();
    Path truncated = store.dir().resolve(CheckpointStore.fileName(MODEL_ID, v + 1));
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 4096));
    Path tampered = store.dir().resolve(CheckpointStore.fileName(MODEL_ID, v + 2));
    byte[] flipped = bytes.clone();
    flipped[flipped.length / 2] ^= 0x01;
    Files.write(tampered, flipped);
    for (Path copy : List.of(truncated, tampered)) {
      Files.copy(sidecarOf(good.path()), sidecarOf(copy), StandardCopyOption.REPLACE_EXISTING);
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> CheckpointStore.read(copy.toUri().toString(), good.sha256()));
      assertTrue(e.getMessage().contains("sha256") && e.getMessage().contains(copy.getFileName().toString()),
          "the refusal must name the file and sha256: " + e.getMessage());
    }
    assertEquals(good.path(), store.latest(MODEL_ID).orElseThrow().path(),
        "latest() must skip the truncated and the tampered copies");
  }

  private static Path sidecarOf(Path checkpoint) {
    return checkpoint.resolveSibling(checkpoint.getFileName() + ".sha256");
  }

  /** Files in the directory that are not part of a complete checkpoint at or below {@code version}. */
  private static List<String> leftoversBeyond(Path dir, long version) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        boolean partOfComplete = false;
        for (long v = 1; v <= version && !partOfComplete; v++) {
          String file = CheckpointStore.fileName(MODEL_ID, v);
          partOfComplete = name.equals(file) || name.equals(file + ".sha256");
        }
        if (!partOfComplete) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /**
   * The writer JVM. Its output goes to a file, not a pipe: Process.destroyForcibly() closes the
   * pipes at once and loses what was not read yet, while a file keeps every line the writer
   * printed before it died.
   */
  private static final class Writer {

    private final Process process;
    private final Path log;

    private Writer(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static Writer start(Path dir, Path log) throws IOException {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
          "-Xmx512m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
          CheckpointWriterMain.class.getName(), dir.toString(), MODEL_ID);
      builder.redirectErrorStream(true).redirectOutput(log.toFile());
      return new Writer(builder.start(), log);
    }

    void awaitFirstComplete() throws InterruptedException {
      long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
      while (lastComplete() == 0) {
        if (!process.isAlive()) {
          throw new AssertionError("the writer exited with " + process.exitValue() + " before its first checkpoint: " + tail());
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the writer wrote no checkpoint within " + CHILD_TIMEOUT.toSeconds() + " s: " + tail());
        }
        Thread.sleep(10);
      }
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the writer did not die within " + CHILD_TIMEOUT.toSeconds() + " s of SIGKILL");
      }
    }

    int exitCode() {
      return process.exitValue();
    }

    /** The last version the writer reported complete, 0 before the first. */
    long lastComplete() {
      long last = 0;
      for (String line : lines()) {
        if (line.startsWith("complete v")) {
          last = Long.parseLong(line.substring("complete v".length()).trim());
        }
      }
      return last;
    }

    String parametersSha256() {
      return lines().stream().filter(l -> l.startsWith("ready ")).map(l -> l.split(" ")[1]).findFirst()
          .orElseThrow(() -> new AssertionError("the writer never said ready: " + tail()));
    }

    private List<String> lines() {
      try {
        String text = Files.readString(log, StandardCharsets.UTF_8);
        // Only whole lines: the last one may be cut short, being written as we read it.
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the writer's output " + log, e);
      }
    }

    String tail() {
      List<String> all = lines();
      List<String> last = all.subList(Math.max(0, all.size() - 8), all.size());
      return "writer output (last " + last.size() + " of " + all.size() + " lines): " + String.join(" | ", last);
    }
  }
}

package dev.sieve.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One {@code sieve} command in its own JVM, with its stdout and stderr in a log file. */
final class SieveProcess {

  private static final Duration STOP = Duration.ofSeconds(30);

  final Process process;
  final Path log;

  private SieveProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code ./sieve ARGS} on this test JVM's class path, offline, with one intra-op thread,
   * and {@code jvmOptions} (heap size, say) before the main class.
   */
  static SieveProcess start(List<String> jvmOptions, List<String> args, Path log) throws IOException {
    return start(jvmOptions, args, Map.of(), log);
  }

  /** As {@link #start(List, List, Path)}, with {@code environment} added to this JVM's. */
  static SieveProcess start(List<String> jvmOptions, List<String> args, Map<String, String> environment, Path log)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1"));
    command.addAll(jvmOptions);
    command.add(Sieve.class.getName());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    return new SieveProcess(process, log);
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("sieve pid " + process.pid() + " still alive " + STOP.toSeconds() + " s after SIGKILL");
    }
  }

  /**
   * Waits until the output has a line containing {@code text}, and returns that line: an event,
   * not a pace, so {@code hangGuard} only has to be long enough for a machine far slower than any
   * expected. Fails at once, with the output's tail, when the process exits first.
   */
  String awaitLine(String text, Duration hangGuard) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + hangGuard.toNanos();
    while (true) {
      Optional<String> line = output().lines().filter(l -> l.contains(text)).findFirst();
      if (line.isPresent()) {
        return line.get();
      }
      if (!process.isAlive()) {
        throw new AssertionError("sieve exited with " + process.exitValue() + " before printing '" + text + "'\n"
            + tail(80));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no line with '" + text + "' after " + hangGuard + "\n" + tail(80));
      }
      Thread.sleep(100);
    }
  }

  /** SIGTERM, and the exit status once the process is gone. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP.toSeconds() * 4, TimeUnit.SECONDS)) {
      throw new AssertionError("sieve pid " + process.pid() + " still alive " + STOP.toSeconds() * 4
          + " s after SIGTERM\n" + tail(80));
    }
    return process.exitValue();
  }

  /** Everything the process printed so far. */
  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- last " + Math.min(lines, all.size()) + " of " + all.size() + " lines of " + log + " ---\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}

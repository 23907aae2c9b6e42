package dev.sieve.eval.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Which code ran where, recorded beside every result (the eval's {@code results.json}, the demo's
 * summary): a number is only comparable with another from the same commit on a like machine, and
 * this repository's timings come from anything between two busy cores and a GPU host.
 *
 * @param commit the git commit of the code that ran ({@link #commit()} says where it comes from)
 * @param commitSource how {@code commit} was found: "git" ({@code git rev-parse HEAD} in the working
 *     directory), "build" (baked in at build time), or "none" (then {@code commit} is "unknown")
 * @param machine the os, arch, cores, max heap and, where {@code /proc/cpuinfo} is readable, the CPU model
 */
public record RunEnvironment(String commit, String commitSource, Machine machine) {

  /** The commit when none can be found. */
  public static final String UNKNOWN = "unknown";

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  /**
   * @param os {@code os.name} and {@code os.version}
   * @param arch {@code os.arch}
   * @param cores processors available to this JVM
   * @param maxHeapBytes the JVM's heap limit ({@code -Xmx})
   * @param cpuModel the first "model name" of /proc/cpuinfo, or "unknown" where it cannot be read (not Linux)
   */
  public record Machine(String os, String arch, int cores, long maxHeapBytes, String cpuModel) {

    public static Machine current() {
      return new Machine(System.getProperty("os.name") + " " + System.getProperty("os.version"),
          System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory(),
          RunEnvironment.cpuModel(CPUINFO).orElse(UNKNOWN));
    }
  }

  /** This process's commit and machine; the commit is looked up once per process. */
  public static RunEnvironment current() {
    return Holder.CURRENT.with(Machine.current());
  }

  private RunEnvironment with(Machine value) {
    return new RunEnvironment(commit, commitSource, value);
  }

  /** As JSON-friendly nested maps, in a stable key order, for writers that build their JSON from maps. */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("commit", commit);
    m.put("commitSource", commitSource);
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("os", machine.os());
    host.put("arch", machine.arch());
    host.put("cores", machine.cores());
    host.put("maxHeapBytes", machine.maxHeapBytes());
    host.put("cpuModel", machine.cpuModel());
    m.put("machine", host);
    return m;
  }

  private static final class Holder {
    static final RunEnvironment CURRENT = find(RunEnvironment::gitHead, RunEnvironment::builtFrom);
  }

  /** The first commit found: from git, else baked in at build time, else {@link #UNKNOWN}. */
  static RunEnvironment find(Supplier<Optional<String>> git, Supplier<Optional<String>> build) {
    Optional<String> fromGit = git.get().filter(c -> SHA.matcher(c).matches());
    if (fromGit.isPresent()) {
      return new RunEnvironment(fromGit.get(), "git", null);
    }
    Optional<String> fromBuild = build.get().filter(c -> SHA.matcher(c).matches());
    return fromBuild.map(c -> new RunEnvironment(c, "build", null)).orElse(new RunEnvironment(UNKNOWN, "none", null));
  }

  /** {@code git rev-parse HEAD} in the working directory; empty where git or a checkout is missing. */
  static Optional<String> gitHead() {
    try {
      Process git = new ProcessBuilder(List.of("git", "rev-parse", "HEAD")).redirectErrorStream(true).start();
      git.getOutputStream().close();
      if (!git.waitFor(10, TimeUnit.SECONDS)) {
        git.destroyForcibly();
        return Optional.empty();
      }
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return git.exitValue() == 0 ? Optional.of(out.toLowerCase(Locale.ROOT)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The commit Maven filtered into build.properties ({@code -Dsieve.commit=...}); empty when none was given. */
  static Optional<String> builtFrom() {
    try (InputStream in = RunEnvironment.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        return Optional.empty();
      }
      Properties p = new Properties();
      p.load(in);
      return Optional.ofNullable(p.getProperty("commit")).map(String::trim);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The first "model name" line of a cpuinfo file (x86 Linux); empty where unreadable or absent. */
  static Optional<String> cpuModel(Path cpuinfo) {
    try {
      if (!Files.isReadable(cpuinfo)) {
        return Optional.empty();
      }
      for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
          String model = line.substring(colon + 1).trim();
          return model.isEmpty() ? Optional.empty() : Optional.of(model);
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}

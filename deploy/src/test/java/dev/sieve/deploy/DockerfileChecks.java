package dev.sieve.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of a Dockerfile whose build context is the repository root, without Docker: every file
 * it copies from the context exists and is not excluded by .dockerignore, every file it copies
 * from a build stage is something the Maven build produces, the entrypoint is a copied script
 * that runs an existing main class with the copied class path, and the base images agree with the
 * Maven wrapper and the Java release the build targets.
 */
final class DockerfileChecks {

  /** One COPY or ADD: flags, sources, destination. */
  record Copy(Map<String, String> flags, List<String> sources, String destination) {}

  /** One FROM ... AS name and what follows it. */
  record Stage(String image, String name, List<Copy> copies, List<String> runs, String[] workdir, List<String> entrypoint) {}

  private static final Pattern MAVEN_IMAGE = Pattern.compile("^maven:(\\d+\\.\\d+\\.\\d+)-eclipse-temurin-(\\d+)");
  private static final Pattern TEMURIN_IMAGE = Pattern.compile("^eclipse-temurin:(\\d+)");
  private static final Pattern WRAPPER_VERSION = Pattern.compile("apache-maven/(\\d+\\.\\d+\\.\\d+)/");
  private static final Pattern JAVA_RELEASE = Pattern.compile("<maven\\.compiler\\.release>(\\d+)<");
  private static final Pattern PROFILE_FLAG = Pattern.compile("(?<=\\s)-P(\\w[\\w,-]*)");
  private static final Pattern PROJECTS_FLAG = Pattern.compile("(?<=\\s)-pl\\s+(\\S+)");
  private static final Pattern BUILD_OUTPUT = Pattern.compile("^([\\w-]+)/target/(.+?)/?$");
  private static final Pattern MAIN_CLASS = Pattern.compile("\\b(dev\\.sieve(?:\\.[a-z]\\w*)*\\.[A-Z]\\w*)\\b");
  private static final Pattern CLASS_PATH = Pattern.compile("-cp\\s+\"?([^\"\\s]+)\"?");

  private DockerfileChecks() {}

  static List<Stage> parse(String text) {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      if (current.length() > 0) {
        instructions.add(current.toString().trim());
      }
      current.setLength(0);
    }
    List<Stage> stages = new ArrayList<>();
    Stage stage = null;
    for (String instruction : instructions) {
      String[] split = instruction.split("\\s+", 2);
      String keyword = split[0].toUpperCase();
      String rest = split.length > 1 ? split[1] : "";
      switch (keyword) {
        case "FROM" -> {
          String[] parts = rest.split("\\s+");
          String name = parts.length >= 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
          stage = new Stage(parts[0], name, new ArrayList<>(), new ArrayList<>(), new String[] {"/"}, new ArrayList<>());
          stages.add(stage);
        }
        case "COPY", "ADD" -> {
          if (stage != null) {
            stage.copies().add(copy(rest));
          }
        }
        case "RUN" -> {
          if (stage != null) {
            stage.runs().add(" " + rest + " ");
          }
        }
        case "WORKDIR" -> {
          if (stage != null) {
            stage.workdir()[0] = rest.startsWith("/") ? rest : stage.workdir()[0] + "/" + rest;
          }
        }
        case "ENTRYPOINT" -> {
          if (stage != null) {
            stage.entrypoint().clear();
            stage.entrypoint().addAll(execForm(rest));
          }
        }
        default -> { }
      }
    }
    return stages;
  }

  private static Copy copy(String rest) {
    Map<String, String> flags = new HashMap<>();
    List<String> tokens = new ArrayList<>(Arrays.asList(rest.trim().split("\\s+")));
    while (!tokens.isEmpty() && tokens.get(0).startsWith("--")) {
      String flag = tokens.remove(0).substring(2);
      int eq = flag.indexOf('=');
      flags.put(eq < 0 ? flag : flag.substring(0, eq), eq < 0 ? "" : flag.substring(eq + 1));
    }
    String joined = String.join(" ", tokens);
    if (joined.startsWith("[")) {
      tokens = execForm(joined);
    }
    String destination = tokens.isEmpty() ? "" : tokens.remove(tokens.size() - 1);
    return new Copy(flags, tokens, destination);
  }

  /** ["a", "b"] as a list; null entries for shell form (an empty list). */
  private static List<String> execForm(String rest) {
    String s = rest.trim();
    if (!s.startsWith("[") || !s.endsWith("]")) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(s);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  static List<String> problems(Path dockerfile) {
    return problems(Repo.read(dockerfile), Repo.name(dockerfile));
  }

  static List<String> problems(String text, String where) {
    List<String> out = new ArrayList<>();
    List<Stage> stages = parse(text);
    if (stages.isEmpty()) {
      out.add(where + ": no FROM");
      return out;
    }
    String rootPom = Repo.read(Repo.path("pom.xml"));
    Matcher release = JAVA_RELEASE.matcher(rootPom);
    String javaRelease = release.find() ? release.group(1) : null;
    Matcher wrapper = WRAPPER_VERSION.matcher(Repo.read(Repo.path(".mvn/wrapper/maven-wrapper.properties")));
    String mavenVersion = wrapper.find() ? wrapper.group(1) : null;
    List<String> ignores = dockerignore();
    Map<String, Stage> byName = new HashMap<>();
    for (Stage s : stages) {
      if (s.name() != null) {
        byName.put(s.name(), s);
      }
      Matcher maven = MAVEN_IMAGE.matcher(s.image());
      if (maven.find()) {
        if (!maven.group(1).equals(mavenVersion)) {
          out.add(where + ": builds with " + s.image() + " but the Maven wrapper pins Maven " + mavenVersion);
        }
        if (!maven.group(2).equals(javaRelease)) {
          out.add(where + ": builds on Java " + maven.group(2) + " but the project targets release " + javaRelease);
        }
      }
      Matcher temurin = TEMURIN_IMAGE.matcher(s.image());
      if (temurin.find() && !temurin.group(1).equals(javaRelease)) {
        out.add(where + ": runs on " + s.image() + " but the project targets Java " + javaRelease);
      }
      for (String run : s.runs()) {
        Matcher profile = PROFILE_FLAG.matcher(run);
        while (profile.find()) {
          for (String id : profile.group(1).split(",")) {
            if (!rootPom.contains("<id>" + id + "</id>")) {
              out.add(where + ": RUN activates Maven profile " + id + ", which the root pom.xml does not define");
            }
          }
        }
      }
    }
    for (String module : Repo.modules()) {
      if (ignored(module + "/pom.xml", ignores)) {
        out.add(".dockerignore excludes " + module + "/pom.xml, which the Maven reactor in " + where + " reads");
      }
    }
    Stage last = stages.get(stages.size() - 1);
    Map<String, String> repoFileAt = new HashMap<>();
    Map<String, Copy> copyAt = new HashMap<>();
    for (Stage s : stages) {
      for (Copy c : s.copies()) {
        String from = c.flags().get("from");
        for (String source : c.sources()) {
          if (from == null) {
            if (!source.equals(".") && !Files.exists(Repo.path(source))) {
              out.add(where + ": COPY " + source + ": no such file in the build context (the repository root)");
            } else if (!source.equals(".") && ignored(source, ignores)) {
              out.add(where + ": COPY " + source + ": .dockerignore excludes it from the build context");
            }
          } else if (byName.containsKey(from) && runsMaven(byName.get(from))) {
            out.addAll(buildOutputProblems(source, byName.get(from), where));
          }
          if (s == last) {
            // Docker copies a directory's contents into the destination and a file into a
            // destination ending in / under its own name. A stage's output without a file
            // extension (lib/, /opt/java/openjdk) is taken for a directory.
            boolean directory = source.endsWith("/") || source.equals(".")
                || (from == null ? Files.isDirectory(Repo.path(source)) : !source.matches(".*/[^/]*\\.[^/]+$"));
            String dest = c.destination().endsWith("/") && !directory
                ? c.destination() + Path.of(source).getFileName() : c.destination();
            dest = dest.replaceAll("/+$", "");
            copyAt.put(dest, c);
            if (from == null) {
              repoFileAt.put(dest, source);
            }
          }
        }
      }
    }
    out.addAll(entrypointProblems(last, repoFileAt, copyAt, where));
    return out;
  }

  private static boolean runsMaven(Stage stage) {
    return stage.runs().stream().anyMatch(r -> r.contains(" mvn ") || r.contains("mvnw "));
  }

  /** A file copied out of a Maven build stage must be one the named module's build produces. */
  private static List<String> buildOutputProblems(String source, Stage stage, String where) {
    List<String> out = new ArrayList<>();
    String workdir = stage.workdir()[0].replaceAll("/+$", "") + "/";
    if (!source.startsWith(workdir)) {
      out.add(where + ": COPY --from=" + stage.name() + " " + source + " lies outside that stage's WORKDIR " + workdir);
      return out;
    }
    Matcher m = BUILD_OUTPUT.matcher(source.substring(workdir.length()));
    if (!m.matches()) {
      out.add(where + ": COPY --from=" + stage.name() + " " + source + " is not a module's target/ output");
      return out;
    }
    String module = m.group(1);
    String artifact = m.group(2);
    Path pom = Repo.path(module).resolve("pom.xml");
    if (!Files.isRegularFile(pom)) {
      out.add(where + ": COPY --from=" + stage.name() + " " + source + ": there is no module " + module);
      return out;
    }
    String pomText = Repo.read(pom);
    if (artifact.endsWith(".jar")) {
      String finalName = artifact.substring(0, artifact.length() - ".jar".length());
      if (!pomText.contains("<finalName>" + finalName + "</finalName>")) {
        out.add(where + ": COPY " + source + ": " + module + "/pom.xml does not set <finalName>" + finalName
            + "</finalName>, so the build does not write that jar");
      }
    } else if (!pomText.contains("<outputDirectory>${project.build.directory}/" + artifact + "</outputDirectory>")) {
      out.add(where + ": COPY " + source + ": " + module + "/pom.xml writes nothing to target/" + artifact);
    }
    for (String run : stage.runs()) {
      Matcher projects = PROJECTS_FLAG.matcher(run);
      if (projects.find() && !Arrays.asList(projects.group(1).split(",")).contains(module)) {
        out.add(where + ": COPY " + source + ", but the build stage builds only -pl " + projects.group(1));
      }
    }
    return out;
  }

  private static List<String> entrypointProblems(Stage last, Map<String, String> repoFileAt, Map<String, Copy> copyAt,
      String where) {
    List<String> out = new ArrayList<>();
    if (last.entrypoint().isEmpty()) {
      out.add(where + ": the final stage needs an exec-form ENTRYPOINT [\"...\"], so that signals reach the JVM");
      return out;
    }
    String entry = last.entrypoint().get(0);
    String script = repoFileAt.get(entry);
    if (script == null) {
      out.add(where + ": ENTRYPOINT " + entry + " is not a file the final stage copies from the repository");
      return out;
    }
    Path scriptPath = Repo.path(script);
    if (!Files.isRegularFile(scriptPath)) {
      return out; // reported as a missing COPY source
    }
    String chmod = copyAt.get(entry).flags().get("chmod");
    boolean executable = chmod != null ? (Integer.parseInt(chmod, 8) & 0111) != 0 : Files.isExecutable(scriptPath);
    if (!executable) {
      out.add(where + ": ENTRYPOINT " + entry + " is copied from " + script + " without an executable mode");
    }
    String text = Repo.read(scriptPath);
    if (!text.startsWith("#!")) {
      out.add(script + ": no #! line; the kernel cannot execute it as the ENTRYPOINT");
    }
    if (!Pattern.compile("\\bexec\\s+java\\b").matcher(text).find()) {
      out.add(script + ": must exec java, so that the JVM is PID 1 and receives SIGTERM");
    }
    if (!text.contains("-Dai.djl.offline=true")) {
      out.add(script + ": must pass -Dai.djl.offline=true: DJL may not download an engine at run time");
    }
    Matcher main = MAIN_CLASS.matcher(text);
    if (!main.find()) {
      out.add(script + ": names no dev.sieve main class");
    } else if (Cli.mainClassSource(main.group(1)) == null) {
      out.add(script + ": main class " + main.group(1) + " has no source file with a main method in any module");
    }
    Matcher cp = CLASS_PATH.matcher(text);
    if (!cp.find()) {
      out.add(script + ": no -cp class path");
    } else {
      for (String entryPath : cp.group(1).split(":")) {
        String dest = entryPath.replaceAll("/\\*$", "");
        if (!copyAt.containsKey(dest)) {
          out.add(script + ": class path entry " + entryPath + " is not something " + where + " copies into the image"
              + " (it copies " + copyAt.keySet() + ")");
        }
      }
    }
    return out;
  }

  /** The patterns of the repository's .dockerignore, in order. */
  static List<String> dockerignore() {
    Path file = Repo.path(".dockerignore");
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    return Arrays.stream(Repo.read(file).split("\n")).map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  /** Whether Docker leaves {@code path} out of the context: the last matching pattern decides, ! re-includes. */
  static boolean ignored(String path, List<String> patterns) {
    boolean ignored = false;
    for (String raw : patterns) {
      boolean negate = raw.startsWith("!");
      String pattern = (negate ? raw.substring(1) : raw).trim().replaceFirst("^\\./", "").replaceFirst("^/", "");
      Pattern regex = globToRegex(pattern);
      String[] parts = path.split("/");
      String prefix = null;
      for (String part : parts) {
        prefix = prefix == null ? part : prefix + "/" + part;
        if (regex.matcher(prefix).matches()) {
          ignored = !negate;
          break;
        }
      }
    }
    return ignored;
  }

  private static Pattern globToRegex(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        boolean slash = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
        re.append(slash ? "(?:.*/)?" : ".*");
        i += slash ? 2 : 1;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}

package dev.sieve.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository the deployment files live in, and reading files from it. */
final class Repo {

  private static final Path ROOT = findRoot();
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  private Repo() {}

  /**
   * The repository root: the first directory upwards from the working directory (the module's
   * basedir, deploy/, under Maven) that holds both deploy/ and cli/.
   */
  static Path root() {
    return ROOT;
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static Path deploy() {
    return path("deploy");
  }

  /** A path as the repository names it, for messages. */
  static String name(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    return abs.startsWith(ROOT) ? ROOT.relativize(abs).toString() : abs.toString();
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name(file), e);
    }
  }

  /** Regular files under {@code dir} whose name ends with one of {@code suffixes}, sorted. */
  static List<Path> files(Path dir, String... suffixes) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> {
            String n = p.getFileName().toString();
            for (String s : suffixes) {
              if (n.endsWith(s)) {
                return true;
              }
            }
            return false;
          })
          .filter(p -> !p.toString().contains("/target/"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + name(dir), e);
    }
  }

  /** The module directories the root pom.xml lists, in its order. */
  static List<String> modules() {
    Matcher m = MODULE.matcher(read(path("pom.xml")));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1).trim());
    }
    return out;
  }

  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("deploy")) && Files.isDirectory(d.resolve("cli"))
          && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d.normalize();
      }
    }
    throw new IllegalStateException("no repository root (a directory with deploy/, cli/ and pom.xml) above " + dir);
  }
}

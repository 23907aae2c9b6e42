package dev.sieve.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the {@code sieve} launcher accepts, read from the picocli annotations in cli/src/main/java:
 * the subcommands registered on {@code Sieve} and, for each, the option names of its class and of
 * its {@code @Mixin}s. The deployment files pass arguments to that launcher; a renamed or removed
 * option must fail here rather than at a container's start.
 */
final class Cli {

  private static final Pattern NAME = Pattern.compile("(?<![\\w.])name\\s*=\\s*\"([^\"]+)\"");
  private static final Pattern HELP_OPTIONS = Pattern.compile("mixinStandardHelpOptions\\s*=\\s*true");
  private static final Pattern NAMES = Pattern.compile("(?<![\\w.])names\\s*=\\s*(\\{[^}]*}|\"[^\"]*\")");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
  private static final Pattern MIXIN = Pattern.compile("@Mixin\\s+(\\w+)\\s+\\w+\\s*;");
  private static final Pattern SUBCOMMANDS = Pattern.compile("subcommands\\s*=\\s*\\{([^}]*)}");
  private static final Pattern CLASS_REF = Pattern.compile("(\\w+)\\.class");
  private static final Pattern METRICS_PORT = Pattern.compile("DEFAULT_METRICS_PORT\\s*=\\s*(\\d+)\\s*;");
  private static final Pattern MAIN = Pattern.compile("public\\s+static\\s+void\\s+main\\s*\\(");

  /** A subcommand: its name, the options it accepts and, for a long-running one, its default metrics port. */
  record Command(String name, String className, Set<String> options, Integer defaultMetricsPort) {}

  private final Map<String, Command> commands;

  private Cli(Map<String, Command> commands) {
    this.commands = commands;
  }

  /** The launcher as its sources under cli/src/main/java declare it. */
  static Cli fromSources() {
    Path sources = Repo.path("cli/src/main/java");
    Map<String, String> classSource = new HashMap<>();
    for (Path file : Repo.files(sources, ".java")) {
      String name = file.getFileName().toString();
      classSource.put(name.substring(0, name.length() - ".java".length()), Repo.read(file));
    }
    String launcher = classSource.get("Sieve");
    if (launcher == null) {
      throw new IllegalStateException("cli/src/main/java has no Sieve.java: the launcher class the images run is gone");
    }
    Matcher sub = SUBCOMMANDS.matcher(launcher);
    if (!sub.find()) {
      throw new IllegalStateException("Sieve.java declares no 'subcommands = { ... }'");
    }
    Map<String, Command> commands = new TreeMap<>();
    Matcher ref = CLASS_REF.matcher(sub.group(1));
    while (ref.find()) {
      String cls = ref.group(1);
      String src = classSource.get(cls);
      if (src == null) {
        continue; // picocli's own HelpCommand and the like
      }
      List<String> command = annotations(src, "@Command");
      Matcher name = command.isEmpty() ? null : NAME.matcher(command.get(0));
      if (name == null || !name.find()) {
        continue;
      }
      Set<String> options = new LinkedHashSet<>();
      collectOptions(cls, classSource, options, new LinkedHashSet<>());
      if (HELP_OPTIONS.matcher(src).find()) {
        options.addAll(List.of("-h", "--help", "-V", "--version"));
      }
      Matcher port = METRICS_PORT.matcher(src);
      commands.put(name.group(1), new Command(name.group(1), cls, options,
          port.find() ? Integer.valueOf(port.group(1)) : null));
    }
    return new Cli(commands);
  }

  private static void collectOptions(String cls, Map<String, String> classSource, Set<String> into, Set<String> seen) {
    String src = classSource.get(cls);
    if (src == null || !seen.add(cls)) {
      return;
    }
    for (String option : annotations(src, "@Option")) {
      Matcher names = NAMES.matcher(option);
      if (names.find()) {
        Matcher q = QUOTED.matcher(names.group(1));
        while (q.find()) {
          into.add(q.group(1));
        }
      }
    }
    Matcher mixin = MIXIN.matcher(src);
    while (mixin.find()) {
      collectOptions(mixin.group(1), classSource, into, seen);
    }
  }

  /**
   * The argument text of every {@code annotation(...)} in a source, up to its matching
   * parenthesis; parentheses inside string literals (descriptions) do not count.
   */
  static List<String> annotations(String src, String annotation) {
    List<String> out = new ArrayList<>();
    int from = 0;
    while ((from = src.indexOf(annotation + "(", from)) >= 0) {
      int start = from + annotation.length() + 1;
      int depth = 1;
      boolean inString = false;
      int i = start;
      for (; i < src.length() && depth > 0; i++) {
        char c = src.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
      }
      out.add(src.substring(start, Math.max(start, i - 1)));
      from = i;
    }
    return out;
  }

  Map<String, Command> commands() {
    return commands;
  }

  Command command(String name) {
    return commands.get(name);
  }

  /**
   * What is wrong with an argument list passed to the launcher ({@code stream --foo ...}): an
   * unknown subcommand or an option that subcommand does not declare. {@code where} names the file
   * and service or container for the message.
   */
  List<String> problems(List<String> argv, String where) {
    List<String> out = new ArrayList<>();
    if (argv.isEmpty()) {
      out.add(where + ": passes no subcommand to the sieve launcher");
      return out;
    }
    Command command = commands.get(argv.get(0));
    if (command == null) {
      out.add(where + ": subcommand '" + argv.get(0) + "' is not one of the launcher's " + commands.keySet());
      return out;
    }
    for (String arg : argv.subList(1, argv.size())) {
      if (arg.startsWith("--")) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        if (!command.options().contains(name)) {
          out.add(where + ": '" + argv.get(0) + "' has no option " + name + " (" + command.className()
              + ".java and its mixins declare " + command.options() + ")");
        }
      }
    }
    return out;
  }

  /** The value after {@code --name} (or in {@code --name=value}), or null where the option is absent. */
  static String optionValue(List<String> argv, String name) {
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg.equals(name) && i + 1 < argv.size()) {
        return argv.get(i + 1);
      }
      if (arg.startsWith(name + "=")) {
        return arg.substring(name.length() + 1);
      }
    }
    return null;
  }

  static boolean hasFlag(List<String> argv, String name) {
    return argv.contains(name);
  }

  /**
   * The port a stream or train process serves /metrics on with these arguments, or null for a
   * command without a metrics endpoint or with --no-metrics.
   */
  Integer metricsPort(List<String> argv) {
    Command command = argv.isEmpty() ? null : commands.get(argv.get(0));
    if (command == null || command.defaultMetricsPort() == null || hasFlag(argv, "--no-metrics")) {
      return null;
    }
    String given = optionValue(argv, "--metrics-port");
    return given == null ? command.defaultMetricsPort() : Integer.valueOf(given);
  }

  /**
   * The source file of a fully qualified class in any module's src/main/java, if it exists and
   * declares a main method; null otherwise.
   */
  static Path mainClassSource(String qualifiedName) {
    String relative = "src/main/java/" + qualifiedName.replace('.', '/') + ".java";
    for (String module : Repo.modules()) {
      Path candidate = Repo.path(module).resolve(relative);
      if (java.nio.file.Files.isRegularFile(candidate) && MAIN.matcher(Repo.read(candidate)).find()) {
        return candidate;
      }
    }
    return null;
  }
}

package dev.sieve.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of a docker-compose file: services that can start (an image or a build whose Dockerfile
 * exists, dependencies that exist, host files that exist, named volumes that are declared), Sieve
 * services whose commands the launcher accepts, and the pipeline's invariants (one Victim updater,
 * the Victim volume mounted at the checkpoint path by every reader, metrics reachable, the
 * model-signing key given to every process that publishes or loads model versions or to none).
 */
final class ComposeChecks {

  /** ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}. */
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::?[-?]([^}]*))?}");

  private final Cli cli;

  ComposeChecks(Cli cli) {
    this.cli = cli;
  }

  /** A compose service's volume mount: a host path or a named volume, mounted at target. */
  record Mount(String source, String target, boolean readOnly, boolean bind) {}

  static Map<String, Map<String, Object>> services(Object compose) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    Yamls.map(Yamls.at(compose, "services")).forEach((name, s) -> out.put(name, Yamls.map(s)));
    return out;
  }

  /** The service's command as launcher arguments (a string is split on blanks, as compose does). */
  static List<String> command(Map<String, Object> service) {
    Object command = service.get("command");
    if (command instanceof String s) {
      return List.of(s.trim().split("\\s+"));
    }
    return Yamls.list(command).stream().map(String::valueOf).toList();
  }

  /** The names of the service's environment variables (map or list form). */
  static Set<String> environmentNames(Map<String, Object> service) {
    Object env = service.get("environment");
    if (env instanceof Map<?, ?>) {
      return Yamls.map(env).keySet();
    }
    Set<String> out = new HashSet<>();
    for (Object e : Yamls.list(env)) {
      String entry = String.valueOf(e);
      out.add(entry.contains("=") ? entry.substring(0, entry.indexOf('=')) : entry);
    }
    return out;
  }

  /** Whether the service runs the Sieve image: built from deploy/docker/ or tagged like one that is. */
  static boolean isSieve(Map<String, Object> service, Set<String> sieveImages) {
    String dockerfile = Yamls.textAt(service, "build", "dockerfile");
    return (dockerfile != null && dockerfile.startsWith("deploy/docker/"))
        || sieveImages.contains(Yamls.text(service.get("image")));
  }

  static Set<String> sieveImages(Map<String, Map<String, Object>> services) {
    Set<String> out = new HashSet<>();
    services.values().forEach(s -> {
      String dockerfile = Yamls.textAt(s, "build", "dockerfile");
      if (dockerfile != null && dockerfile.startsWith("deploy/docker/") && s.get("image") != null) {
        out.add(Yamls.text(s.get("image")));
      }
    });
    return out;
  }

  static List<Mount> mounts(Map<String, Object> service) {
    List<Mount> out = new ArrayList<>();
    for (Object v : Yamls.list(service.get("volumes"))) {
      if (v instanceof String s) {
        String[] parts = s.split(":");
        String source = parts.length > 1 ? parts[0] : null;
        String target = parts.length > 1 ? parts[1] : parts[0];
        boolean ro = parts.length > 2 && parts[2].contains("ro");
        boolean bind = source != null && (source.startsWith(".") || source.startsWith("/") || source.startsWith("~")
            || source.startsWith("$"));
        out.add(new Mount(source, target, ro, bind));
      } else {
        Map<String, Object> m = Yamls.map(v);
        out.add(new Mount(Yamls.text(m.get("source")), Yamls.text(m.get("target")),
            "true".equals(Yamls.text(m.get("read_only"))), "bind".equals(Yamls.text(m.get("type")))));
      }
    }
    return out;
  }

  /** A path with compose variables replaced by their defaults (an unset variable without one becomes ""). */
  static String interpolate(String value) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
    }
    m.appendTail(out);
    return out.toString();
  }

  List<String> problems(Object compose, Path composeFile) {
    List<String> out = new ArrayList<>();
    String where = Repo.name(composeFile);
    Path dir = composeFile.getParent();
    Map<String, Map<String, Object>> services = services(compose);
    if (services.isEmpty()) {
      out.add(where + ": no services");
      return out;
    }
    Set<String> declaredVolumes = Yamls.map(Yamls.at(compose, "volumes")).keySet();
    Set<String> sieveImages = sieveImages(services);
    Map<String, String> hostPorts = new HashMap<>();
    for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
      String at = where + ": service " + e.getKey();
      Map<String, Object> s = e.getValue();
      if (s.get("image") == null && s.get("build") == null) {
        out.add(at + ": neither image nor build");
      }
      Object build = s.get("build");
      if (build != null) {
        String context = build instanceof String b ? b : Yamls.text(Yamls.at(build, "context"));
        Path contextDir = dir.resolve(context == null ? "." : context).normalize();
        String dockerfile = Yamls.textAt(build, "dockerfile");
        Path dockerfilePath = contextDir.resolve(dockerfile == null ? "Dockerfile" : dockerfile);
        if (!Files.isDirectory(contextDir)) {
          out.add(at + ": build context " + context + " is not a directory");
        } else if (!Files.isRegularFile(dockerfilePath)) {
          out.add(at + ": Dockerfile " + Repo.name(dockerfilePath) + " does not exist");
        }
      }
      Object dependsOn = s.get("depends_on");
      Set<String> dependencies = dependsOn instanceof Map<?, ?> ? Yamls.map(dependsOn).keySet()
          : new HashSet<>(Yamls.list(dependsOn).stream().map(String::valueOf).toList());
      for (String dependency : dependencies) {
        if (!services.containsKey(dependency)) {
          out.add(at + ": depends_on " + dependency + ", which is not a service");
        }
      }
      for (Mount m : mounts(s)) {
        if (m.bind()) {
          String source = interpolate(m.source());
          if (source.startsWith(".") && !Files.exists(dir.resolve(source).normalize())) {
            out.add(at + ": mounts " + m.source() + ", which does not exist (" + Repo.name(dir.resolve(source))
                + ")");
          }
        } else if (m.source() != null && !declaredVolumes.contains(m.source())) {
          out.add(at + ": mounts named volume " + m.source() + ", which the top-level volumes do not declare");
        }
      }
      for (Object p : Yamls.list(s.get("ports"))) {
        String mapping = String.valueOf(p);
        String host = mapping.contains(":") ? mapping.substring(0, mapping.lastIndexOf(':')) : mapping;
        String previous = hostPorts.put(host, e.getKey());
        if (previous != null) {
          out.add(at + ": host port " + host + " is taken by service " + previous);
        }
      }
      if (isSieve(s, sieveImages)) {
        List<String> argv = command(s);
        out.addAll(cli.problems(argv, at));
        if (cli.metricsPort(argv) != null && !"0.0.0.0".equals(Cli.optionValue(argv, "--metrics-bind"))) {
          out.add(at + ": without --metrics-bind 0.0.0.0 its metrics server listens on the container's"
              + " 127.0.0.1, out of Prometheus' reach");
        }
      }
    }
    out.addAll(pipelineProblems(services, sieveImages, where));
    return out;
  }

  private static List<String> pipelineProblems(Map<String, Map<String, Object>> services, Set<String> sieveImages,
      String where) {
    List<String> out = new ArrayList<>();
    List<String> updaters = new ArrayList<>();
    List<String> readers = new ArrayList<>();
    List<String> withKey = new ArrayList<>();
    List<String> withoutKey = new ArrayList<>();
    services.forEach((name, s) -> {
      List<String> argv = command(s);
      if (!isSieve(s, sieveImages) || argv.isEmpty()) {
        return;
      }
      if (argv.get(0).equals("stream") && !Cli.hasFlag(argv, "--no-victim-updater")) {
        updaters.add(name);
      } else if (argv.get(0).equals("stream") || argv.get(0).equals("train")) {
        readers.add(name);
      }
      if (argv.get(0).equals("stream") || argv.get(0).equals("train")) {
        boolean key = Cli.optionValue(argv, KubernetesChecks.SIGNING_KEY_OPTION) != null
            || environmentNames(s).contains(KubernetesChecks.SIGNING_KEY_ENV);
        (key ? withKey : withoutKey).add(name);
      }
    });
    if (!withKey.isEmpty() && !withoutKey.isEmpty()) {
      out.add(where + ": services " + withKey + " get the model-signing key and " + withoutKey + " do not: the"
          + " updater signs model versions, every reader verifies them, all with the same key");
    }
    if (updaters.size() != 1) {
      out.add(where + ": services " + updaters + " run the Victim updater (stream without --no-victim-updater);"
          + " a pipeline needs exactly one");
      return out;
    }
    String updater = updaters.get(0);
    String victimDir = Cli.optionValue(command(services.get(updater)), "--checkpoint-dir");
    Mount victim = victimDir == null ? null : mounts(services.get(updater)).stream()
        .filter(m -> victimDir.equals(m.target()) && !m.bind()).findFirst().orElse(null);
    if (victim == null) {
      out.add(where + ": service " + updater + " must write its --checkpoint-dir to a named volume (the Victim"
          + " checkpoints outlive the container and are shared)");
      return out;
    }
    for (String reader : readers) {
      boolean shared = mounts(services.get(reader)).stream()
          .anyMatch(m -> victim.source().equals(m.source()) && victimDir.equals(m.target()));
      if (!shared) {
        out.add(where + ": service " + reader + " must mount volume " + victim.source() + " at " + victimDir
            + ": Victim versions are published as file: URIs under that path");
      }
    }
    return out;
  }
}

package dev.sieve.deploy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of rendered Kubernetes objects (a kustomization's output): well-formed objects,
 * Deployments whose probes, ports, arguments, environment and volumes fit together and fit the
 * launcher, the pipeline's invariants (one Victim updater, one trainer, one shared Victim volume
 * mounted at the path the checkpoint URIs name, one model-signing key for all or none), KafkaTopics
 * that match TopicCatalog, and KafkaUsers whose ACLs fit the Deployments ({@link KafkaAclChecks}).
 */
final class KubernetesChecks {

  /** The path MetricsServer serves health on. */
  static final String HEALTH_PATH = "/health";
  /** v1 from Strimzi 0.49 on (the only one Strimzi 1.0 serves); v1beta2 before. */
  static final Set<String> STRIMZI_API_VERSIONS = Set.of("kafka.strimzi.io/v1", "kafka.strimzi.io/v1beta2");
  private static final Pattern ENV_REF = Pattern.compile("\\$\\((\\w+)\\)");
  private static final List<String> PROBES = List.of("startupProbe", "livenessProbe", "readinessProbe");
  private static final Pattern STORE_LOCATION = Pattern.compile("(ssl\\.(?:truststore|keystore)\\.location)\\s*=\\s*(.+)");
  /** The option and the environment variable that give a Sieve process the model-signing key. */
  static final String SIGNING_KEY_OPTION = "--model-signing-key-file";
  static final String SIGNING_KEY_ENV = "SIEVE_MODEL_SIGNING_KEY";

  private final Cli cli;
  private final Map<String, Sources.TopicSpec> catalog;

  KubernetesChecks(Cli cli, Map<String, Sources.TopicSpec> catalog) {
    this.cli = cli;
    this.catalog = catalog;
  }

  List<String> problems(List<Map<String, Object>> objects, String where) {
    List<String> out = new ArrayList<>();
    Map<String, Map<String, Object>> configMaps = new HashMap<>();
    Map<String, Map<String, Object>> claims = new HashMap<>();
    Map<String, Map<String, Object>> secrets = new HashMap<>();
    Set<String> namespaces = new HashSet<>();
    for (Map<String, Object> o : objects) {
      out.addAll(objectProblems(o, where));
      String kind = Yamls.text(o.get("kind"));
      String name = Yamls.textAt(o, "metadata", "name");
      if ("ConfigMap".equals(kind)) {
        configMaps.put(name, Yamls.map(o.get("data")));
      } else if ("PersistentVolumeClaim".equals(kind)) {
        claims.put(name, o);
      } else if ("Secret".equals(kind)) {
        Map<String, Object> files = new HashMap<>();
        Yamls.map(o.get("data")).forEach((key, value) -> files.put(key, decoded(value)));
        files.putAll(Yamls.map(o.get("stringData")));
        secrets.put(name, files);
      } else if ("Namespace".equals(kind)) {
        namespaces.add(name);
      }
    }
    List<Map<String, Object>> deployments = ofKind(objects, "Deployment");
    for (Map<String, Object> d : deployments) {
      out.addAll(deploymentProblems(d, where, configMaps, claims, secrets, namespaces));
    }
    out.addAll(pipelineProblems(deployments, claims, where));
    List<Map<String, Object>> kafkaUsers = ofKind(objects, "KafkaUser");
    out.addAll(signingKeyProblems(deployments, !kafkaUsers.isEmpty(), where));
    List<Map<String, Object>> topics = ofKind(objects, "KafkaTopic");
    if (!topics.isEmpty()) {
      out.addAll(topicProblems(topics, deployments, configMaps, where));
    }
    if (!kafkaUsers.isEmpty()) {
      out.addAll(new KafkaAclChecks(catalog).problems(kafkaUsers, deployments, secrets, topicPrefix(configMaps), where));
    }
    return out;
  }

  /** A Secret's data value as text (it is base64), or the value as it is where it does not decode. */
  private static Object decoded(Object value) {
    if (!(value instanceof String text)) {
      return value;
    }
    try {
      return new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value;
    }
  }

  /** SIEVE_TOPIC_PREFIX of the build's ConfigMaps, else the launcher's default. */
  static String topicPrefix(Map<String, Map<String, Object>> configMaps) {
    String prefix = "sieve.";
    for (Map<String, Object> data : configMaps.values()) {
      if (data.containsKey("SIEVE_TOPIC_PREFIX")) {
        prefix = Yamls.text(data.get("SIEVE_TOPIC_PREFIX"));
      }
    }
    return prefix;
  }

  /** apiVersion, kind and metadata.name on anything meant for the API server. */
  static List<String> objectProblems(Object doc, String where) {
    List<String> out = new ArrayList<>();
    if (!(doc instanceof Map<?, ?>)) {
      out.add(where + ": a document that is not a Kubernetes object (no map)");
      return out;
    }
    for (String[] field : new String[][] {{"apiVersion"}, {"kind"}, {"metadata", "name"}}) {
      String value = Yamls.textAt(doc, field);
      if (value == null || value.isBlank()) {
        out.add(where + ": " + Yamls.textAt(doc, "kind") + "/" + Yamls.textAt(doc, "metadata", "name")
            + " has no " + String.join(".", field));
      }
    }
    return out;
  }

  static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(Yamls.text(o.get("kind")))).toList();
  }

  /** The launcher arguments of a Sieve container (its args; the image's entrypoint is the launcher). */
  static List<String> argv(Map<String, Object> container) {
    return Yamls.list(container.get("args")).stream().map(String::valueOf).toList();
  }

  static int replicas(Map<String, Object> deployment) {
    String r = Yamls.textAt(deployment, "spec", "replicas");
    return r == null ? 1 : Integer.parseInt(r);
  }

  private List<String> deploymentProblems(Map<String, Object> d, String where,
      Map<String, Map<String, Object>> configMaps, Map<String, Map<String, Object>> claims,
      Map<String, Map<String, Object>> secrets, Set<String> namespaces) {
    List<String> out = new ArrayList<>();
    String name = Yamls.textAt(d, "metadata", "name");
    String at = where + ": Deployment " + name;
    if (replicas(d) < 1) {
      out.add(at + ": replicas must be at least 1");
    }
    String namespace = Yamls.textAt(d, "metadata", "namespace");
    if (!namespaces.isEmpty() && !namespaces.contains(namespace)) {
      out.add(at + ": namespace " + namespace + " is not one this build creates " + namespaces);
    }
    Map<String, Object> podLabels = Yamls.map(Yamls.at(d, "spec", "template", "metadata", "labels"));
    Yamls.map(Yamls.at(d, "spec", "selector", "matchLabels")).forEach((k, v) -> {
      if (!Objects.equals(String.valueOf(v), Yamls.text(podLabels.get(k)))) {
        out.add(at + ": selector " + k + "=" + v + " does not match the pod template's labels");
      }
    });
    Map<String, Object> pod = Yamls.map(Yamls.at(d, "spec", "template", "spec"));
    Map<String, Map<String, Object>> volumes = new HashMap<>();
    for (Map<String, Object> v : Yamls.maps(pod.get("volumes"))) {
      volumes.put(Yamls.text(v.get("name")), v);
      String claim = Yamls.textAt(v, "persistentVolumeClaim", "claimName");
      if (claim != null && !claims.containsKey(claim)) {
        out.add(at + ": volume " + v.get("name") + " claims " + claim + ", which no PersistentVolumeClaim is");
      }
      String cm = Yamls.textAt(v, "configMap", "name");
      if (cm != null && !configMaps.containsKey(cm)) {
        out.add(at + ": volume " + v.get("name") + " uses ConfigMap " + cm + ", which this build does not create");
      }
      String secret = Yamls.textAt(v, "secret", "secretName");
      if (secret != null && !secrets.containsKey(secret)) {
        out.add(at + ": volume " + v.get("name") + " uses Secret " + secret + ", which this build does not create");
      }
    }
    Map<String, Object> annotations = Yamls.map(Yamls.at(d, "spec", "template", "metadata", "annotations"));
    List<Map<String, Object>> containers = Yamls.maps(pod.get("containers"));
    if (containers.isEmpty()) {
      out.add(at + ": no containers");
    }
    for (Map<String, Object> c : containers) {
      String cat = at + " container " + c.get("name");
      String image = Yamls.text(c.get("image"));
      if (image == null || image.isBlank()) {
        out.add(cat + ": no image");
      }
      Map<String, Integer> namedPorts = new HashMap<>();
      Set<Integer> ports = new HashSet<>();
      for (Map<String, Object> p : Yamls.maps(c.get("ports"))) {
        int port = Integer.parseInt(String.valueOf(p.get("containerPort")));
        ports.add(port);
        if (p.get("name") != null) {
          namedPorts.put(String.valueOf(p.get("name")), port);
        }
      }
      List<String> argv = argv(c);
      out.addAll(cli.problems(argv, cat));
      Set<String> envNames = new HashSet<>();
      for (Map<String, Object> e : Yamls.maps(c.get("env"))) {
        envNames.add(Yamls.text(e.get("name")));
        String cm = Yamls.textAt(e, "valueFrom", "configMapKeyRef", "name");
        String key = Yamls.textAt(e, "valueFrom", "configMapKeyRef", "key");
        if (cm != null && (!configMaps.containsKey(cm) || !configMaps.get(cm).containsKey(key))) {
          out.add(cat + ": env " + e.get("name") + " reads key " + key + " of ConfigMap " + cm
              + ", which this build does not define");
        }
        String secret = Yamls.textAt(e, "valueFrom", "secretKeyRef", "name");
        if (secret != null && !secrets.containsKey(secret)) {
          out.add(cat + ": env " + e.get("name") + " reads Secret " + secret + ", which this build does not create");
        }
      }
      for (String arg : argv) {
        Matcher ref = ENV_REF.matcher(arg);
        while (ref.find()) {
          if (!envNames.contains(ref.group(1))) {
            // Kubernetes leaves an undefined $(VAR) as it is: the launcher would get the literal text.
            out.add(cat + ": argument " + arg + " refers to $(" + ref.group(1) + "), which env does not define");
          }
        }
      }
      for (Map<String, Object> m : Yamls.maps(c.get("volumeMounts"))) {
        if (!volumes.containsKey(Yamls.text(m.get("name")))) {
          out.add(cat + ": mounts volume " + m.get("name") + ", which the pod does not declare");
        }
      }
      String clientConfig = Cli.optionValue(argv, "--client-config");
      if (clientConfig != null) {
        out.addAll(clientConfigProblems(clientConfig, c, volumes, secrets, cat));
      }
      String signingKey = Cli.optionValue(argv, SIGNING_KEY_OPTION);
      if (signingKey != null) {
        out.addAll(signingKeyFileProblems(signingKey, c, volumes, secrets, cat));
      }
      Integer metricsPort = argv.isEmpty() ? null : cli.metricsPort(argv);
      for (String probeName : PROBES) {
        Object probe = c.get(probeName);
        if (probe == null) {
          continue;
        }
        Object port = Yamls.at(probe, "httpGet", "port");
        Integer resolved = port == null ? null
            : port instanceof Integer i ? Integer.valueOf(i) : namedPorts.get(String.valueOf(port));
        if (resolved == null || !ports.contains(resolved)) {
          out.add(cat + ": " + probeName + " probes port " + port + ", which the container does not declare");
        } else if (metricsPort != null && !resolved.equals(metricsPort)) {
          out.add(cat + ": " + probeName + " probes port " + resolved + " but the process serves /health on "
              + metricsPort);
        }
        if (!HEALTH_PATH.equals(Yamls.textAt(probe, "httpGet", "path"))) {
          out.add(cat + ": " + probeName + " probes " + Yamls.textAt(probe, "httpGet", "path") + ", not "
              + HEALTH_PATH);
        }
      }
      if (metricsPort != null) {
        if (!ports.contains(metricsPort)) {
          out.add(cat + ": serves /metrics and /health on " + metricsPort + " but declares ports " + ports);
        }
        if (c.get("livenessProbe") == null || c.get("readinessProbe") == null) {
          out.add(cat + ": a long-running Sieve process needs a livenessProbe and a readinessProbe on /health");
        }
        if (!"0.0.0.0".equals(Cli.optionValue(argv, "--metrics-bind"))) {
          out.add(cat + ": without --metrics-bind 0.0.0.0 the metrics server listens on 127.0.0.1, out of reach"
              + " of probes and Prometheus");
        }
        if ("true".equals(Yamls.text(annotations.get("prometheus.io/scrape")))
            && !String.valueOf(metricsPort).equals(Yamls.text(annotations.get("prometheus.io/port")))) {
          out.add(at + ": annotation prometheus.io/port is " + annotations.get("prometheus.io/port")
              + " but the process serves metrics on " + metricsPort);
        }
      }
    }
    return out;
  }

  /**
   * The --client-config file must be a key of a Secret mounted in the container, and the trust or
   * key store files it names must be mounted too: a missing file fails only at start-up.
   */
  private static List<String> clientConfigProblems(String file, Map<String, Object> container,
      Map<String, Map<String, Object>> volumes, Map<String, Map<String, Object>> secrets, String at) {
    List<String> out = new ArrayList<>();
    Map<String, Object> secretFiles = secretFileAt(file, container, volumes, secrets);
    if (secretFiles == null) {
      out.add(at + ": --client-config " + file + " is not a key of a Secret this build mounts there");
      return out;
    }
    Object text = secretFiles.get(Path.of(file).getFileName().toString());
    if (!(text instanceof String properties)) {
      return out;
    }
    for (String line : properties.split("\n")) {
      Matcher store = STORE_LOCATION.matcher(line.trim());
      if (store.matches() && secretFileAt(store.group(2).trim(), container, volumes, secrets) == null) {
        out.add(at + ": " + file + " sets " + store.group(1) + "=" + store.group(2).trim()
            + ", which is not a key of a Secret mounted there");
      }
    }
    return out;
  }

  /**
   * The model-signing key file must be a key of a Secret mounted read-only in the container, and the
   * repository holds no real key: the Secret there is a template with an empty key, and the real
   * one is created in the cluster.
   */
  private static List<String> signingKeyFileProblems(String file, Map<String, Object> container,
      Map<String, Map<String, Object>> volumes, Map<String, Map<String, Object>> secrets, String at) {
    List<String> out = new ArrayList<>();
    String secret = secretAt(file, container, volumes, secrets);
    if (secret == null) {
      out.add(at + ": " + SIGNING_KEY_OPTION + " " + file + " is not a key of a Secret this build mounts there");
      return out;
    }
    Path path = Path.of(file);
    if (!mountedReadOnly(container, path.getParent().toString())) {
      out.add(at + ": mounts the model-signing key (" + path.getParent() + ") writable; mount it readOnly");
    }
    Object key = secrets.get(secret).get(path.getFileName().toString());
    if (key != null && !String.valueOf(key).isBlank()) {
      out.add(at + ": Secret " + secret + " holds a model-signing key in the repository (" + path.getFileName()
          + "): keep the template's key empty and create the real Secret in the cluster (docs/deploy.md)");
    }
    return out;
  }

  /** The name of the Secret whose mount holds {@code file} as one of its keys, or null. */
  private static String secretAt(String file, Map<String, Object> container,
      Map<String, Map<String, Object>> volumes, Map<String, Map<String, Object>> secrets) {
    Path path = Path.of(file);
    for (Map<String, Object> m : Yamls.maps(container.get("volumeMounts"))) {
      String mountPath = Yamls.text(m.get("mountPath"));
      Map<String, Object> volume = volumes.get(Yamls.text(m.get("name")));
      String secret = Yamls.textAt(volume, "secret", "secretName");
      if (mountPath != null && secret != null && path.getParent() != null
          && path.getParent().equals(Path.of(mountPath)) && secrets.containsKey(secret)
          && secrets.get(secret).containsKey(path.getFileName().toString())) {
        return secret;
      }
    }
    return null;
  }

  /** The files (keys) of the Secret whose mount holds {@code file} as one of its keys, or null. */
  private static Map<String, Object> secretFileAt(String file, Map<String, Object> container,
      Map<String, Map<String, Object>> volumes, Map<String, Map<String, Object>> secrets) {
    String secret = secretAt(file, container, volumes, secrets);
    return secret == null ? null : secrets.get(secret);
  }

  /** The text of {@code file} where it is a key of a Secret mounted in the Deployment's container, or null. */
  static String secretFileText(String file, Map<String, Object> deployment, Map<String, Object> container,
      Map<String, Map<String, Object>> secrets) {
    Map<String, Map<String, Object>> volumes = new HashMap<>();
    for (Map<String, Object> v : Yamls.maps(Yamls.at(deployment, "spec", "template", "spec", "volumes"))) {
      volumes.put(Yamls.text(v.get("name")), v);
    }
    Map<String, Object> files = secretFileAt(file, container, volumes, secrets);
    Object text = files == null ? null : files.get(Path.of(file).getFileName().toString());
    return text instanceof String s ? s : null;
  }

  /** The container of a Deployment that runs the given subcommand, or null. */
  static Map<String, Object> sieveContainer(Map<String, Object> d, String command) {
    for (Map<String, Object> c : Yamls.maps(Yamls.at(d, "spec", "template", "spec", "containers"))) {
      List<String> argv = argv(c);
      if (!argv.isEmpty() && argv.get(0).equals(command)) {
        return c;
      }
    }
    return null;
  }

  /** The claim mounted at {@code path} in the Deployment's container, or null. */
  private static String claimMountedAt(Map<String, Object> d, Map<String, Object> container, String path) {
    for (Map<String, Object> m : Yamls.maps(container.get("volumeMounts"))) {
      if (path.equals(Yamls.text(m.get("mountPath")))) {
        for (Map<String, Object> v : Yamls.maps(Yamls.at(d, "spec", "template", "spec", "volumes"))) {
          if (Objects.equals(v.get("name"), m.get("name"))) {
            return Yamls.textAt(v, "persistentVolumeClaim", "claimName");
          }
        }
      }
    }
    return null;
  }

  private static boolean mountedReadOnly(Map<String, Object> container, String path) {
    return Yamls.maps(container.get("volumeMounts")).stream()
        .anyMatch(m -> path.equals(Yamls.text(m.get("mountPath"))) && "true".equals(Yamls.text(m.get("readOnly"))));
  }

  private List<String> pipelineProblems(List<Map<String, Object>> deployments,
      Map<String, Map<String, Object>> claims, String where) {
    List<String> out = new ArrayList<>();
    List<Map<String, Object>> streams = deployments.stream().filter(d -> sieveContainer(d, "stream") != null).toList();
    List<Map<String, Object>> trainers = deployments.stream().filter(d -> sieveContainer(d, "train") != null).toList();
    if (streams.isEmpty()) {
      return out;
    }
    List<Map<String, Object>> updaters = streams.stream()
        .filter(d -> !Cli.hasFlag(argv(sieveContainer(d, "stream")), "--no-victim-updater")).toList();
    if (updaters.size() != 1) {
      out.add(where + ": " + updaters.size() + " Deployments run the Victim updater (stream without"
          + " --no-victim-updater); a pipeline needs exactly one");
      return out;
    }
    Map<String, Object> updater = updaters.get(0);
    String updaterName = Yamls.textAt(updater, "metadata", "name");
    requireSingleRecreate(updater, "runs the Victim updater", where, out);
    Map<String, Object> updaterContainer = sieveContainer(updater, "stream");
    String victimDir = Cli.optionValue(argv(updaterContainer), "--checkpoint-dir");
    if (victimDir == null || !victimDir.startsWith("/")) {
      out.add(where + ": Deployment " + updaterName + " must pass an absolute --checkpoint-dir: the published"
          + " file: URIs carry it, and every reader resolves them in its own file system");
      return out;
    }
    String victimClaim = claimMountedAt(updater, updaterContainer, victimDir);
    if (victimClaim == null) {
      out.add(where + ": Deployment " + updaterName + " writes Victim checkpoints to " + victimDir
          + ", which is not a PersistentVolumeClaim mount");
      return out;
    }
    List<Object> modes = Yamls.list(Yamls.at(claims.get(victimClaim), "spec", "accessModes"));
    if (!modes.contains("ReadWriteMany")) {
      out.add(where + ": PersistentVolumeClaim " + victimClaim + " holds the Victim checkpoints every filter"
          + " and the trainer read, on any node: it needs ReadWriteMany, has " + modes);
    }
    List<Map<String, Object>> readers = new ArrayList<>(streams);
    readers.remove(updater);
    readers.addAll(trainers);
    for (Map<String, Object> d : readers) {
      Map<String, Object> c = sieveContainer(d, "stream") != null ? sieveContainer(d, "stream") : sieveContainer(d, "train");
      if (!victimClaim.equals(claimMountedAt(d, c, victimDir))) {
        out.add(where + ": Deployment " + Yamls.textAt(d, "metadata", "name") + " must mount claim " + victimClaim
            + " at " + victimDir + ": Victim versions are published as file: URIs under that path");
      } else if (!mountedReadOnly(c, victimDir)) {
        out.add(where + ": Deployment " + Yamls.textAt(d, "metadata", "name") + " should mount " + victimDir
            + " read-only: only " + updaterName + " writes Victim checkpoints");
      }
    }
    if (trainers.size() > 1) {
      out.add(where + ": " + trainers.size() + " trainer Deployments; the Beneficiary is one process");
    }
    for (Map<String, Object> trainer : trainers) {
      requireSingleRecreate(trainer, "runs the Beneficiary trainer", where, out);
      Map<String, Object> c = sieveContainer(trainer, "train");
      String dir = Cli.optionValue(argv(c), "--checkpoint-dir");
      if (dir == null || claimMountedAt(trainer, c, dir) == null) {
        out.add(where + ": Deployment " + Yamls.textAt(trainer, "metadata", "name") + " must keep its"
            + " --checkpoint-dir on a PersistentVolumeClaim: the checkpoints hold the offsets it resumes from");
      }
    }
    return out;
  }

  private static void requireSingleRecreate(Map<String, Object> d, String what, String where, List<String> out) {
    String name = Yamls.textAt(d, "metadata", "name");
    if (replicas(d) != 1) {
      out.add(where + ": Deployment " + name + " " + what + " and must have exactly 1 replica, has " + replicas(d));
    }
    if (!"Recreate".equals(Yamls.textAt(d, "spec", "strategy", "type"))) {
      out.add(where + ": Deployment " + name + " " + what + " and needs strategy Recreate: a rolling update would"
          + " run two at once");
    }
  }

  /**
   * The processes that publish or load model versions (stream, train) all get the model-signing
   * key or none does: the updater signs, every reader verifies, with the same key. In a build with
   * KafkaUsers (a secured cluster) all of them must pass {@code --model-signing-key-file}.
   */
  private static List<String> signingKeyProblems(List<Map<String, Object>> deployments, boolean secured,
      String where) {
    List<String> out = new ArrayList<>();
    List<String> withoutFlag = new ArrayList<>();
    List<String> withKey = new ArrayList<>();
    List<String> withoutKey = new ArrayList<>();
    for (Map<String, Object> d : deployments) {
      Map<String, Object> c = sieveContainer(d, "stream") != null ? sieveContainer(d, "stream") : sieveContainer(d, "train");
      if (c == null) {
        continue;
      }
      String name = Yamls.textAt(d, "metadata", "name");
      boolean flag = Cli.optionValue(argv(c), SIGNING_KEY_OPTION) != null;
      boolean env = Yamls.maps(c.get("env")).stream().anyMatch(e -> SIGNING_KEY_ENV.equals(Yamls.text(e.get("name"))));
      if (!flag) {
        withoutFlag.add(name);
      }
      (flag || env ? withKey : withoutKey).add(name);
    }
    if (secured && !withoutFlag.isEmpty()) {
      out.add(where + ": Deployments " + withoutFlag + " pass no " + SIGNING_KEY_OPTION + ": on a secured cluster"
          + " every process that publishes or loads model versions signs or verifies them with the key from a"
          + " mounted Secret");
    } else if (!withKey.isEmpty() && !withoutKey.isEmpty()) {
      out.add(where + ": Deployments " + withKey + " get the model-signing key and " + withoutKey + " do not: the"
          + " updater signs, every reader verifies, all with the same key");
    }
    return out;
  }

  private List<String> topicProblems(List<Map<String, Object>> topics, List<Map<String, Object>> deployments,
      Map<String, Map<String, Object>> configMaps, String where) {
    List<String> out = new ArrayList<>();
    String prefix = topicPrefix(configMaps);
    String partitionsSetting = null;
    for (Map<String, Object> data : configMaps.values()) {
      if (data.containsKey("SIEVE_PARTITIONS")) {
        partitionsSetting = Yamls.text(data.get("SIEVE_PARTITIONS"));
      }
    }
    int streamInstances = deployments.stream().filter(d -> sieveContainer(d, "stream") != null)
        .mapToInt(KubernetesChecks::replicas).sum();
    Set<String> expected = new TreeSet<>();
    for (String suffix : catalog.keySet()) {
      expected.add(prefix + suffix);
    }
    Set<String> declared = new TreeSet<>();
    for (Map<String, Object> t : topics) {
      String resource = Yamls.textAt(t, "metadata", "name");
      String topicName = Yamls.textAt(t, "spec", "topicName") != null ? Yamls.textAt(t, "spec", "topicName") : resource;
      String at = where + ": KafkaTopic " + resource + " (" + topicName + ")";
      declared.add(topicName);
      if (!STRIMZI_API_VERSIONS.contains(Yamls.text(t.get("apiVersion")))) {
        out.add(at + ": apiVersion must be one of " + STRIMZI_API_VERSIONS + ", is " + t.get("apiVersion"));
      }
      if (Yamls.textAt(t, "metadata", "labels", "strimzi.io/cluster") == null) {
        out.add(at + ": no strimzi.io/cluster label: the Topic Operator would ignore it");
      }
      int partitions = positive(Yamls.at(t, "spec", "partitions"), at + ": spec.partitions", out);
      int replicas = positive(Yamls.at(t, "spec", "replicas"), at + ": spec.replicas", out);
      Map<String, Object> config = Yamls.map(Yamls.at(t, "spec", "config"));
      String minIsr = Yamls.text(config.get("min.insync.replicas"));
      if (minIsr != null && replicas > 0) {
        int isr = Integer.parseInt(minIsr);
        if (isr > replicas || (replicas > 1 && isr == replicas)) {
          out.add(at + ": min.insync.replicas " + isr + " with " + replicas + " replicas stops writes when a"
              + " single broker is down");
        }
      }
      Sources.TopicSpec spec = topicName.startsWith(prefix) ? catalog.get(topicName.substring(prefix.length())) : null;
      if (spec == null) {
        continue;
      }
      String policy = Yamls.text(config.get("cleanup.policy"));
      if (spec.compacted()) {
        if (policy == null || !policy.contains("compact") || policy.contains("delete")) {
          out.add(at + ": carries ModelVersion records keyed by model id and must be compacted"
              + " (cleanup.policy compact), is " + policy);
        }
      } else {
        if (policy != null && !policy.equals("delete")) {
          out.add(at + ": is an append log and must have cleanup.policy delete, is " + policy);
        }
        String retention = Yamls.text(config.get("retention.ms"));
        if (spec.retentionMs() != null && !String.valueOf(spec.retentionMs()).equals(retention)) {
          out.add(at + ": retention.ms is " + retention + ", TopicCatalog gives it " + spec.retentionMs());
        }
      }
      if (spec.singlePartition() && partitions != 1) {
        out.add(at + ": TopicCatalog gives it one partition (read in order), has " + partitions);
      }
      if (!spec.singlePartition() && partitions > 0) {
        if (partitions < streamInstances) {
          out.add(at + ": " + partitions + " partitions for " + streamInstances + " filter instances: the"
              + " instances beyond the partition count idle");
        }
        if (partitionsSetting != null && !partitionsSetting.equals(String.valueOf(partitions))) {
          out.add(at + ": " + partitions + " partitions, but SIEVE_PARTITIONS (what Sieve creates missing"
              + " topics with) is " + partitionsSetting);
        }
      }
    }
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(declared);
    Set<String> extra = new TreeSet<>(declared);
    extra.removeAll(expected);
    if (!missing.isEmpty()) {
      out.add(where + ": no KafkaTopic for " + missing + " (TopicCatalog creates them)");
    }
    if (!extra.isEmpty()) {
      out.add(where + ": KafkaTopics " + extra + " are not Sieve topics (TopicCatalog has " + expected + ")");
    }
    return out;
  }

  private static int positive(Object value, String what, List<String> out) {
    String text = Yamls.text(value);
    try {
      int n = Integer.parseInt(text);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    out.add(what + " must be a positive integer, is " + text);
    return 0;
  }
}

package dev.sieve.deploy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Facts the deployment files must agree with, read from the application's sources: which topics
 * exist and how TopicCatalog configures them, and which meters the processes register.
 */
final class Sources {

  private Sources() {}

  /** How TopicCatalog creates one topic: one partition or the data-topic count, compacted or with a retention. */
  record TopicSpec(String suffix, boolean singlePartition, boolean compacted, Long retentionMs) {}

  private static final Pattern TOPIC_METHOD =
      Pattern.compile("public String (\\w+)\\(\\)\\s*\\{\\s*return prefix \\+ \"([^\"]+)\";");
  private static final Pattern RETENTION_CONSTANT =
      Pattern.compile("(\\w+_RETENTION_MS)\\s*=\\s*(\\d+)\\s*\\*\\s*DAY_MS\\s*;");
  private static final Pattern CONFIG_MAP = Pattern.compile(
      "Map<String, String> (\\w+) = Map\\.of\\(([^;]*)\\);", Pattern.DOTALL);
  private static final Pattern RETENTION_IN_MAP =
      Pattern.compile("RETENTION_MS_CONFIG,\\s*Long\\.toString\\((\\w+)\\)");
  private static final Pattern TOPIC_CALL =
      Pattern.compile("topic\\(names\\.(\\w+)\\(\\),\\s*(\\w+),\\s*(\\w+)\\)");
  private static final long DAY_MS = 24L * 60 * 60 * 1000;

  /**
   * TopicCatalog's topics by suffix (samples, credible, ...), from TopicNames.java and
   * TopicCatalog.java. Fails, saying which pattern, when the sources no longer read as expected,
   * so that a refactoring there is noticed here.
   */
  static Map<String, TopicSpec> topicCatalog() {
    Path dir = Repo.path("schemas/src/main/java/dev/sieve/wire");
    String names = Repo.read(dir.resolve("TopicNames.java"));
    String catalog = Repo.read(dir.resolve("TopicCatalog.java"));

    Map<String, String> suffixByMethod = new HashMap<>();
    Matcher method = TOPIC_METHOD.matcher(names);
    while (method.find()) {
      suffixByMethod.put(method.group(1), method.group(2));
    }
    Map<String, Long> retentionConstants = new HashMap<>();
    Matcher constant = RETENTION_CONSTANT.matcher(catalog);
    while (constant.find()) {
      retentionConstants.put(constant.group(1), Long.parseLong(constant.group(2)) * DAY_MS);
    }
    Map<String, String> configs = new HashMap<>();
    Matcher config = CONFIG_MAP.matcher(catalog);
    while (config.find()) {
      configs.put(config.group(1), config.group(2));
    }
    Map<String, TopicSpec> out = new LinkedHashMap<>();
    Matcher call = TOPIC_CALL.matcher(catalog);
    while (call.find()) {
      String suffix = suffixByMethod.get(call.group(1));
      String body = configs.get(call.group(3));
      if (suffix == null || body == null) {
        throw new IllegalStateException("TopicCatalog.java: cannot resolve topic(names." + call.group(1) + "(), "
            + call.group(2) + ", " + call.group(3) + ") against TopicNames.java and the config maps");
      }
      boolean compacted = body.contains("CLEANUP_POLICY_COMPACT");
      Long retention = null;
      Matcher r = RETENTION_IN_MAP.matcher(body);
      if (r.find()) {
        retention = retentionConstants.get(r.group(1));
        if (retention == null) {
          throw new IllegalStateException("TopicCatalog.java: retention constant " + r.group(1)
              + " is not of the form NAME = N * DAY_MS");
        }
      }
      out.put(suffix, new TopicSpec(suffix, call.group(2).equals("1"), compacted, retention));
    }
    if (out.isEmpty() || !out.keySet().equals(new HashSet<>(suffixByMethod.values()))) {
      throw new IllegalStateException("TopicCatalog.java: found topics " + out.keySet()
          + " but TopicNames.java names " + suffixByMethod.values());
    }
    return out;
  }

  private static final Pattern STRING_CONSTANT =
      Pattern.compile("static final String (\\w+)\\s*=\\s*\"([^\"]*)\"\\s*;");

  /** The {@code static final String NAME = "value";} constants of a source file, by name. */
  static Map<String, String> stringConstants(String relativePath) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = STRING_CONSTANT.matcher(Repo.read(Repo.path(relativePath)));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  /** One String constant of a source file; fails, naming both, when the file no longer declares it. */
  static String stringConstant(String relativePath, String name) {
    String value = stringConstants(relativePath).get(name);
    if (value == null) {
      throw new IllegalStateException(relativePath + " no longer declares static final String " + name
          + " = \"...\"; the deploy checks read it from there");
    }
    return value;
  }

  private static final Pattern METER = Pattern.compile(
      "\\b(Counter|FunctionCounter|Gauge|TimeGauge|DistributionSummary|Timer|FunctionTimer|LongTaskTimer)"
          + "\\.builder\\(\\s*\"([a-z0-9.]+)\"");
  /** TrainerMetrics registers its gauges through a helper, gauge("name", ...). */
  private static final Pattern GAUGE_HELPER = Pattern.compile("\\bgauge\\(\\s*\"([a-z0-9.]+)\"");

  /**
   * Meters outside Sieve's sources: Micrometer's JVM and Kafka binders (bound in ops' Meters and
   * FilterApp) and Prometheus' own {@code up}. Only the ones the dashboard may use are listed.
   */
  static final Set<String> BINDER_METRICS = Set.of(
      "up",
      "kafka_consumer_fetch_manager_records_lag_max",
      "kafka_stream_thread_process_rate",
      "jvm_memory_used_bytes", "jvm_memory_max_bytes",
      "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_max",
      "jvm_threads_live_threads",
      "process_cpu_usage", "system_cpu_usage", "process_uptime_seconds");

  /**
   * The Prometheus series names the Sieve processes expose: every Micrometer meter registered in a
   * module's src/main/java, named as the Prometheus registry names it (dots to underscores;
   * counters get _total; summaries and timers _count, _sum, _max and _bucket, timers in seconds),
   * plus {@link #BINDER_METRICS}.
   */
  static Set<String> metricNames() {
    Set<String> out = new TreeSet<>(BINDER_METRICS);
    for (String module : Repo.modules()) {
      Path main = Repo.path(module).resolve("src/main/java");
      if (!main.toFile().isDirectory()) {
        continue;
      }
      for (Path file : Repo.files(main, ".java")) {
        String src = Repo.read(file);
        Matcher m = METER.matcher(src);
        while (m.find()) {
          addPrometheusNames(m.group(1), m.group(2), out);
        }
        Matcher g = GAUGE_HELPER.matcher(src);
        while (g.find()) {
          addPrometheusNames("Gauge", g.group(1), out);
        }
      }
    }
    return out;
  }

  private static void addPrometheusNames(String type, String meter, Set<String> out) {
    String base = meter.replace('.', '_');
    switch (type) {
      case "Counter", "FunctionCounter" -> out.add(base + "_total");
      case "Gauge" -> out.add(base);
      case "TimeGauge" -> out.add(base + "_seconds");
      case "DistributionSummary" -> {
        for (String s : new String[] {"_count", "_sum", "_max", "_bucket"}) {
          out.add(base + s);
        }
      }
      case "LongTaskTimer" -> {
        for (String s : new String[] {"_active_count", "_duration_sum", "_max"}) {
          out.add(base + "_seconds" + s);
        }
      }
      default -> { // Timer, FunctionTimer
        for (String s : new String[] {"_count", "_sum", "_max", "_bucket"}) {
          out.add(base + "_seconds" + s);
        }
      }
    }
  }
}

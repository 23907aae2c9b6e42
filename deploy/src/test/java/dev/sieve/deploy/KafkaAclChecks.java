package dev.sieve.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of the Strimzi {@code KafkaUser}s of a rendered build against the Deployments that log in
 * as them. A Deployment is the user named in the {@code sasl.jaas.config} of its
 * {@code --client-config} file (a key of a mounted Secret). Then:
 *
 * <ul>
 *   <li>each Deployment logs in as a KafkaUser of the build, and no two Deployments as the same one;
 *   <li>each Deployment's user has the ACLs its process needs (its topics, its consumer group, the
 *       Kafka Streams application's internal topics and transactional ids, Describe on every Sieve
 *       topic for the start-up check), read from the sources where they are named;
 *   <li>the model topics have exactly one writer each: {@code victim-models} the Victim updater's
 *       user, {@code clean-models} the trainer's. Anyone else who may write there can publish a
 *       forged model version;
 *   <li>no user may Write by a wildcard or a prefix that covers every Sieve topic, nor change the
 *       cluster's ACLs (Alter on the cluster).
 * </ul>
 *
 * <p>Authorization follows Kafka's simple authorizer: a deny rule wins over an allow rule, All
 * grants every operation, and Read, Write, Delete and Alter imply Describe.
 */
final class KafkaAclChecks {

  private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]+)\"");
  private static final Set<String> PATTERN_TYPES = Set.of("literal", "prefix");
  private static final Set<String> RESOURCE_TYPES = Set.of("topic", "group", "cluster", "transactionalId");
  private static final String FILTER_CONFIG = "stream-app/src/main/java/dev/sieve/stream/topology/FilterConfig.java";
  private static final String FILTER_TOPOLOGY = "stream-app/src/main/java/dev/sieve/stream/topology/FilterTopology.java";
  private static final String BENEFICIARY_CONFIG = "trainer/src/main/java/dev/sieve/trainer/BeneficiaryConfig.java";

  /** One ACL rule of a KafkaUser. */
  record Acl(String resourceType, String name, boolean prefix, Set<String> operations, boolean allow) {

    boolean covers(String type, String resource) {
      if (!resourceType.equals(type)) {
        return false;
      }
      if (type.equals("cluster")) {
        return true;
      }
      return prefix ? resource.startsWith(name) : name.equals("*") || name.equals(resource);
    }

    /** Whether the rule names the operation itself, or one that implies it (allow rules only). */
    boolean names(String operation) {
      if (operations.contains("All") || operations.contains(operation)) {
        return true;
      }
      return allow && operation.equals("Describe")
          && (operations.contains("Read") || operations.contains("Write") || operations.contains("Delete")
              || operations.contains("Alter"));
    }
  }

  /** A KafkaUser: its name and ACL rules. */
  record User(String name, List<Acl> acls) {

    /** Whether the simple authorizer lets this user do {@code operation} on the resource. */
    boolean may(String operation, String type, String resource) {
      boolean denied = acls.stream().anyMatch(a -> !a.allow() && a.covers(type, resource) && a.names(operation));
      return !denied && acls.stream().anyMatch(a -> a.allow() && a.covers(type, resource) && a.names(operation));
    }
  }

  /** What a process needs: an operation on a resource, and why (for the message). */
  private record Need(String operation, String type, String resource, String why) {}

  private final Map<String, Sources.TopicSpec> catalog;
  private final String defaultApplicationId;
  private final List<String> stores;
  private final String trainerGroup;

  KafkaAclChecks(Map<String, Sources.TopicSpec> catalog) {
    this.catalog = catalog;
    this.defaultApplicationId = Sources.stringConstant(FILTER_CONFIG, "DEFAULT_APPLICATION_ID");
    this.stores = Sources.stringConstants(FILTER_TOPOLOGY).entrySet().stream()
        .filter(e -> e.getKey().endsWith("_STORE")).map(Map.Entry::getValue).toList();
    if (stores.isEmpty()) {
      throw new IllegalStateException(FILTER_TOPOLOGY + " declares no *_STORE constant: the deploy checks read the"
          + " Kafka Streams stores (and so the changelog topics) from there");
    }
    this.trainerGroup = Sources.stringConstant(BENEFICIARY_CONFIG, "DEFAULT_GROUP_ID");
  }

  /** The KafkaUsers among the objects, by name, with what is malformed in them. */
  static Map<String, User> users(List<Map<String, Object>> kafkaUsers, String where, List<String> out) {
    Map<String, User> users = new LinkedHashMap<>();
    for (Map<String, Object> u : kafkaUsers) {
      String name = Yamls.textAt(u, "metadata", "name");
      String at = where + ": KafkaUser " + name;
      if (!KubernetesChecks.STRIMZI_API_VERSIONS.contains(Yamls.text(u.get("apiVersion")))) {
        out.add(at + ": apiVersion must be one of " + KubernetesChecks.STRIMZI_API_VERSIONS + ", is "
            + u.get("apiVersion"));
      }
      if (Yamls.textAt(u, "metadata", "labels", "strimzi.io/cluster") == null) {
        out.add(at + ": no strimzi.io/cluster label: the User Operator would ignore it");
      }
      if (Yamls.textAt(u, "spec", "authentication", "type") == null) {
        out.add(at + ": no spec.authentication.type: the User Operator creates no credentials");
      }
      if (!"simple".equals(Yamls.textAt(u, "spec", "authorization", "type"))) {
        out.add(at + ": spec.authorization.type must be simple (ACLs), is "
            + Yamls.textAt(u, "spec", "authorization", "type"));
      }
      List<Acl> acls = new ArrayList<>();
      for (Map<String, Object> rule : Yamls.maps(Yamls.at(u, "spec", "authorization", "acls"))) {
        String type = Yamls.textAt(rule, "resource", "type");
        String resource = Yamls.textAt(rule, "resource", "name");
        String pattern = Yamls.textAt(rule, "resource", "patternType");
        Set<String> operations = new TreeSet<>(Yamls.list(rule.get("operations")).stream().map(String::valueOf).toList());
        String ruleAt = at + ": ACL on " + type + " " + resource;
        if (!RESOURCE_TYPES.contains(type)) {
          out.add(ruleAt + ": resource.type must be one of " + RESOURCE_TYPES);
          continue;
        }
        if (!type.equals("cluster") && resource == null) {
          out.add(ruleAt + ": no resource.name");
          continue;
        }
        if (pattern != null && !PATTERN_TYPES.contains(pattern)) {
          out.add(ruleAt + ": patternType must be one of " + PATTERN_TYPES + ", is " + pattern);
        }
        if (operations.isEmpty()) {
          out.add(ruleAt + ": no operations");
        }
        acls.add(new Acl(type, resource, "prefix".equals(pattern), operations,
            !"deny".equals(Yamls.text(rule.get("type")))));
      }
      users.put(name, new User(name, acls));
    }
    return users;
  }

  List<String> problems(List<Map<String, Object>> kafkaUsers, List<Map<String, Object>> deployments,
      Map<String, Map<String, Object>> secrets, String topicPrefix, String where) {
    List<String> out = new ArrayList<>();
    Map<String, User> users = users(kafkaUsers, where, out);
    for (User u : users.values()) {
      for (Acl a : u.acls()) {
        if (!a.allow()) {
          continue;
        }
        if (a.resourceType().equals("topic") && a.names("Write")
            && (a.prefix() ? topicPrefix.startsWith(a.name()) : a.name().equals("*"))) {
          out.add(where + ": KafkaUser " + u.name() + " may Write every Sieve topic (" + a.operations() + " on "
              + (a.prefix() ? "prefix " : "") + "'" + a.name() + "'): name the topics it writes, one by one");
        }
        if (a.resourceType().equals("cluster") && a.names("Alter")) {
          out.add(where + ": KafkaUser " + u.name() + " may Alter the cluster, that is change its ACLs and grant"
              + " itself any topic");
        }
      }
    }

    Map<String, String> userOf = new LinkedHashMap<>();
    Map<String, String> deploymentOf = new LinkedHashMap<>();
    String updaterUser = null;
    String trainerUser = null;
    boolean updaterKnown = true;
    boolean trainerKnown = true;
    for (Map<String, Object> d : deployments) {
      String name = Yamls.textAt(d, "metadata", "name");
      Map<String, Object> stream = KubernetesChecks.sieveContainer(d, "stream");
      Map<String, Object> train = KubernetesChecks.sieveContainer(d, "train");
      Map<String, Object> c = stream != null ? stream : train;
      if (c == null) {
        continue;
      }
      List<String> argv = KubernetesChecks.argv(c);
      boolean updater = stream != null && !Cli.hasFlag(argv, "--no-victim-updater");
      String user = loginUser(d, c, secrets);
      String at = where + ": Deployment " + name;
      if (user == null) {
        out.add(at + ": cannot tell which KafkaUser it logs in as (no --client-config file with a"
            + " sasl.jaas.config username in a Secret this build mounts), so its ACLs cannot be checked");
        updaterKnown &= !updater;
        trainerKnown &= train == null;
        continue;
      }
      userOf.put(name, user);
      String other = deploymentOf.putIfAbsent(user, name);
      if (other != null) {
        out.add(at + ": logs in as KafkaUser " + user + ", as Deployment " + other + " does: give each Deployment"
            + " its own user, with only the ACLs its role needs");
      }
      if (updater) {
        updaterUser = user;
      }
      if (train != null) {
        trainerUser = user;
      }
      User u = users.get(user);
      if (u == null) {
        out.add(at + ": logs in as " + user + ", which no KafkaUser of this build is " + users.keySet());
        continue;
      }
      for (Need need : needs(argv, stream != null, updater, topicPrefix)) {
        if (!u.may(need.operation(), need.type(), need.resource())) {
          out.add(at + ": KafkaUser " + user + " may not " + need.operation() + " " + need.type() + " "
              + need.resource() + " (" + need.why() + ")");
        }
      }
    }

    String victimModels = topicPrefix + "victim-models";
    String cleanModels = topicPrefix + "clean-models";
    if (updaterKnown) {
      out.addAll(soleWriter(users, victimModels, updaterUser, "the Victim updater's", where));
    }
    if (trainerKnown) {
      out.addAll(soleWriter(users, cleanModels, trainerUser, "the trainer's", where));
    }
    return out;
  }

  /** Who may Write {@code topic} must be {@code expected} alone (nobody, where it is null). */
  private static List<String> soleWriter(Map<String, User> users, String topic, String expected, String whose,
      String where) {
    Set<String> writers = new TreeSet<>();
    users.values().stream().filter(u -> u.may("Write", "topic", topic)).forEach(u -> writers.add(u.name()));
    Set<String> wanted = expected == null ? Set.of() : Set.of(expected);
    List<String> out = new ArrayList<>();
    Set<String> extra = new TreeSet<>(writers);
    extra.removeAll(wanted);
    if (!extra.isEmpty()) {
      out.add(where + ": KafkaUser(s) " + extra + " may Write " + topic + "; only " + whose + " user"
          + (expected == null ? " may, and no Deployment runs that role" : " (" + expected + ") may")
          + ": whoever writes there can publish a forged model version");
    }
    return out;
  }

  /** What a stream or train process with these arguments does on Kafka, as ACL needs. */
  private List<Need> needs(List<String> argv, boolean stream, boolean updater, String prefix) {
    List<Need> out = new ArrayList<>();
    for (String suffix : catalog.keySet()) {
      out.add(new Need("Describe", "topic", prefix + suffix,
          "every command lists and describes all of Sieve's topics at start-up, TopicCatalog.ensureTopics"));
    }
    if (stream) {
      String appId = Cli.optionValue(argv, "--application-id");
      if (appId == null) {
        appId = defaultApplicationId;
      }
      out.add(new Need("Read", "topic", prefix + "samples", "the filter's source topic"));
      out.add(new Need("Read", "topic", prefix + "victim-models", "the Victim watcher loads each version"));
      for (String sink : List.of("credible", "quarantine", "retractions", "dead-letter", "alerts")) {
        out.add(new Need("Write", "topic", prefix + sink, "a sink of the filter topology"));
      }
      out.add(new Need("Read", "group", appId, "the Kafka Streams application id is its consumer group"));
      out.add(new Need("Write", "transactionalId", appId + "-PROCESS-1",
          "exactly-once v2: transactional ids start with the application id"));
      for (String store : stores) {
        String changelog = appId + "-" + store + "-changelog";
        for (String op : List.of("Create", "Read", "Write", "DescribeConfigs")) {
          out.add(new Need(op, "topic", changelog, "Kafka Streams creates and restores its changelog topics"));
        }
      }
      if (updater) {
        out.add(new Need("Write", "topic", prefix + "victim-models", "the Victim updater publishes its versions"));
      }
    } else {
      out.add(new Need("Read", "topic", prefix + "credible", "the Beneficiary's labelled samples"));
      out.add(new Need("Read", "topic", prefix + "quarantine", "the Beneficiary's unlabelled samples"));
      out.add(new Need("Read", "topic", prefix + "retractions", "the Beneficiary drops and unlearns retracted samples"));
      out.add(new Need("Read", "topic", prefix + "victim-models", "the trainer follows the Victim"));
      out.add(new Need("Write", "topic", prefix + "clean-models", "the trainer publishes its checkpoints"));
      out.add(new Need("Read", "group", trainerGroup, "the verdict consumer's group, BeneficiaryConfig"));
    }
    return out;
  }

  /**
   * The username in the {@code sasl.jaas.config} of the container's {@code --client-config} file,
   * or null where there is none or it cannot be read.
   */
  static String loginUser(Map<String, Object> deployment, Map<String, Object> container,
      Map<String, Map<String, Object>> secrets) {
    String file = Cli.optionValue(KubernetesChecks.argv(container), "--client-config");
    String text = file == null ? null : KubernetesChecks.secretFileText(file, deployment, container, secrets);
    if (text == null) {
      return null;
    }
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
    String jaas = properties.getProperty("sasl.jaas.config");
    Matcher m = jaas == null ? null : USERNAME.matcher(jaas);
    return m != null && m.find() ? m.group(1) : null;
  }
}

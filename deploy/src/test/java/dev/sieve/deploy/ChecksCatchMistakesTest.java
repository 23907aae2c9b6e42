package dev.sieve.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks fail on the mistakes they exist for: each test breaks one thing in a copy of the real
 * files and expects a problem that names it. Without these, a check that silently passes
 * everything would look like a green deployment.
 */
class ChecksCatchMistakesTest {

  private static final Cli CLI = Cli.fromSources();

  private static void assertCaught(List<String> problems, String fragment) {
    assertTrue(problems.stream().anyMatch(p -> p.contains(fragment)),
        "expected a problem mentioning '" + fragment + "', got:\n" + String.join("\n", problems));
  }

  // --- YAML --------------------------------------------------------------------------------------

  @Test
  void aBrokenYamlFileIsReportedByName(@TempDir Path dir) throws IOException {
    Path broken = dir.resolve("broken.yml");
    Files.writeString(broken, "services:\n  a:\n    image: x\n   command: [stream\n");
    Yamls.ParseError e = assertThrows(Yamls.ParseError.class, () -> Yamls.loadAll(broken));
    assertTrue(e.getMessage().contains("broken.yml"), e.getMessage());
  }

  @Test
  void aRepeatedKeyIsRefused() {
    assertThrows(Yamls.ParseError.class, () -> Yamls.loadAll("a: 1\nb: 2\na: 3\n", "dup.yml"));
  }

  // --- compose -----------------------------------------------------------------------------------

  private static List<String> composeProblemsAfter(Consumer<Map<String, Map<String, Object>>> change) {
    Object compose = Yamls.copy(Yamls.loadOne(ComposeTest.COMPOSE));
    change.accept(ComposeChecks.services(compose));
    return new ComposeChecks(CLI).problems(compose, ComposeTest.COMPOSE);
  }

  private static List<Object> commandOf(Map<String, Object> service) {
    return Yamls.list(service.get("command"));
  }

  @Test
  void aMisspelledOptionInComposeFails() {
    assertCaught(composeProblemsAfter(s -> commandOf(s.get("sieve-trainer")).add("--metrics-bnd")), "--metrics-bnd");
  }

  @Test
  void anOptionOfAnotherSubcommandFails() {
    assertCaught(composeProblemsAfter(s -> commandOf(s.get("sieve-trainer")).add("--no-victim-updater")),
        "'train' has no option --no-victim-updater");
  }

  @Test
  void aMisspeltAnnouncedOptionFails() {
    assertCaught(CLI.problems(List.of("stream", "--model-signing-keyfile", "/k"), "x"), "--model-signing-keyfile");
  }

  @Test
  void anUnknownSubcommandFails() {
    assertCaught(composeProblemsAfter(s -> commandOf(s.get("sieve-trainer")).set(0, "training")), "'training'");
  }

  @Test
  void aSecondVictimUpdaterFails() {
    assertCaught(composeProblemsAfter(s -> commandOf(s.get("sieve-filter")).remove("--no-victim-updater")),
        "exactly one");
  }

  @Test
  void aDependencyOnAMissingServiceFails() {
    assertCaught(composeProblemsAfter(s -> s.get("kafka-ui").put("depends_on", List.of("zookeeper"))), "zookeeper");
  }

  @Test
  void aMissingHostFileFails() {
    assertCaught(composeProblemsAfter(s -> Yamls.list(s.get("grafana").get("volumes")).add("./nope.json:/x.json:ro")),
        "./nope.json");
  }

  @Test
  void aTrainerWithoutTheVictimVolumeFails() {
    assertCaught(composeProblemsAfter(s -> Yamls.list(s.get("sieve-trainer").get("volumes"))
        .removeIf(v -> String.valueOf(v).startsWith("victim-checkpoints"))), "sieve-trainer must mount");
  }

  @Test
  void metricsOnLoopbackInAContainerFail() {
    assertCaught(composeProblemsAfter(s -> {
      List<Object> command = commandOf(s.get("sieve-stream"));
      command.set(command.indexOf("0.0.0.0"), "127.0.0.1");
    }), "--metrics-bind 0.0.0.0");
  }

  @Test
  void aScrapeTargetOnTheWrongPortFails() {
    Object prometheus = Yamls.copy(Yamls.loadOne(ComposeTest.PROMETHEUS));
    for (Map<String, Object> job : Yamls.maps(Yamls.at(prometheus, "scrape_configs"))) {
      for (Map<String, Object> sc : Yamls.maps(job.get("static_configs"))) {
        List<Object> targets = Yamls.list(sc.get("targets"));
        targets.replaceAll(t -> String.valueOf(t).replace("sieve-trainer:9401", "sieve-trainer:9400"));
      }
    }
    assertCaught(PrometheusChecks.problems(prometheus, "prometheus.yml", Yamls.loadOne(ComposeTest.COMPOSE), CLI),
        "sieve-trainer:9400");
  }

  // --- Grafana -----------------------------------------------------------------------------------

  @Test
  void aQueryOfAnUnknownMetricFails() throws IOException {
    JsonNode dashboard = GrafanaDashboardTest.dashboard();
    ObjectNode panel = (ObjectNode) DashboardChecks.panels(dashboard).stream()
        .filter(p -> !"row".equals(p.path("type").asText())).findFirst().orElseThrow();
    ((ObjectNode) ((ArrayNode) panel.path("targets")).get(0)).put("expr", "sum(rate(sieve_verdict_total[1m]))");
    assertCaught(DashboardChecks.problems(dashboard, "dashboard", Sources.metricNames(),
        GrafanaDashboardTest.provisionedUids()), "sieve_verdict_total");
  }

  @Test
  void metricNamesAreTakenFromPromQlWithoutFunctionsLabelsOrDurations() {
    assertEquals(Set.of("sieve_verdicts_total"), DashboardChecks.metricNames(
        "sum by (class) (rate(sieve_verdicts_total{decision=\"quarantine\"}[5m])) "
            + "/ sum by (class) (rate(sieve_verdicts_total[$__rate_interval]))"));
    assertEquals(Set.of("sieve_entropy_bucket"), DashboardChecks.metricNames(
        "histogram_quantile(0.5, sum by (le, decision) (rate(sieve_entropy_bucket[5m])))"));
  }

  @Test
  void theKnownMetricsComeFromTheSources() {
    Set<String> known = Sources.metricNames();
    for (String name : List.of("sieve_verdicts_total", "sieve_quarantine_rate", "sieve_entropy_bucket",
        "sieve_batch_latency_seconds_max", "sieve_trainer_steps_total", "sieve_trainer_samples_total")) {
      assertTrue(known.contains(name), name + " not found in the Micrometer registrations");
    }
    assertFalse(known.contains("sieve_verdicts"), "a counter is exposed with _total only");
  }

  // --- Kubernetes --------------------------------------------------------------------------------

  private static List<String> k8sProblemsAfter(Consumer<List<Map<String, Object>>> change) {
    List<Map<String, Object>> objects = Kustomize.build(KubernetesTest.K8S.resolve("base")).objects();
    change.accept(objects);
    return new KubernetesChecks(CLI, Sources.topicCatalog()).problems(objects, "base");
  }

  private static Map<String, Object> named(List<Map<String, Object>> objects, String kind, String name) {
    return objects.stream().filter(o -> kind.equals(o.get("kind")))
        .filter(o -> name.equals(Yamls.textAt(o, "metadata", "name"))).findFirst().orElseThrow();
  }

  private static Map<String, Object> container(List<Map<String, Object>> objects, String deployment) {
    return Kustomize.containers(List.of(named(objects, "Deployment", deployment))).get(0);
  }

  @Test
  void aModelTopicThatIsNotCompactedFails() {
    assertCaught(k8sProblemsAfter(o -> Yamls.map(Yamls.at(named(o, "KafkaTopic", "sieve-victim-models"), "spec",
        "config")).put("cleanup.policy", "delete")), "must be compacted");
  }

  @Test
  void fewerPartitionsThanFilterInstancesFail() {
    assertCaught(k8sProblemsAfter(o -> Yamls.map(Yamls.at(named(o, "KafkaTopic", "sieve-samples"), "spec"))
        .put("partitions", 2)), "instances beyond the partition count idle");
  }

  @Test
  void aRetentionOtherThanTheCatalogsFails() {
    assertCaught(k8sProblemsAfter(o -> Yamls.map(Yamls.at(named(o, "KafkaTopic", "sieve-quarantine"), "spec",
        "config")).put("retention.ms", 1000)), "TopicCatalog gives it");
  }

  @Test
  void aMissingTopicFails() {
    assertCaught(k8sProblemsAfter(o -> o.remove(named(o, "KafkaTopic", "sieve-audit"))), "no KafkaTopic for");
  }

  @Test
  void aMisspelledOptionInADeploymentFails() {
    assertCaught(k8sProblemsAfter(o -> Yamls.list(container(o, "sieve-stream").get("args")).add("--no-victim-updatr")),
        "--no-victim-updatr");
  }

  @Test
  void aProbeOnAnUndeclaredPortFails() {
    assertCaught(k8sProblemsAfter(o -> Yamls.map(Yamls.at(container(o, "sieve-stream"), "livenessProbe", "httpGet"))
        .put("port", 9999)), "probes port 9999");
  }

  @Test
  void anUndefinedEnvironmentReferenceFails() {
    assertCaught(k8sProblemsAfter(o -> Yamls.maps(container(o, "sieve-trainer").get("env"))
        .forEach(e -> e.put("name", String.valueOf(e.get("name")).replace("SIEVE_PARTITIONS", "SIEVE_PARTS")))),
        "$(SIEVE_PARTITIONS)");
  }

  @Test
  void twoTrainerReplicasFail() {
    assertCaught(k8sProblemsAfter(o -> Yamls.map(named(o, "Deployment", "sieve-trainer").get("spec"))
        .put("replicas", 2)), "exactly 1 replica");
  }

  @Test
  void aFilterThatCannotSeeTheVictimCheckpointsFails() {
    assertCaught(k8sProblemsAfter(o -> Yamls.list(container(o, "sieve-stream").get("volumeMounts"))
        .removeIf(m -> "victim-checkpoints".equals(Yamls.text(Yamls.map(m).get("name"))))),
        "sieve-stream must mount claim");
  }

  private static List<String> securedProblemsAfter(Consumer<List<Map<String, Object>>> change) {
    List<Map<String, Object>> objects = Kustomize.build(KubernetesTest.K8S.resolve("overlays/secured")).objects();
    change.accept(objects);
    return new KubernetesChecks(CLI, Sources.topicCatalog()).problems(objects, "secured");
  }

  @Test
  void aClientConfigFileTheSecretDoesNotHoldFails() {
    assertCaught(securedProblemsAfter(o -> {
      List<Object> args = Yamls.list(container(o, "sieve-trainer").get("args"));
      args.set(args.indexOf("/etc/sieve/kafka/client.properties"), "/etc/sieve/kafka/kafka.properties");
    }), "--client-config /etc/sieve/kafka/kafka.properties");
  }

  @Test
  void aTrustStoreTheSecretDoesNotHoldFails() {
    assertCaught(securedProblemsAfter(o -> Yamls.map(named(o, "Secret", "sieve-kafka-ca").get("stringData"))
        .remove("ca.crt")), "ssl.truststore.location=/etc/sieve/kafka-ca/ca.crt");
  }

  // --- Kafka ACLs and the model-signing key (secured overlay) ------------------------------------

  private static List<Map<String, Object>> aclsOf(List<Map<String, Object>> objects, String user) {
    return Yamls.maps(Yamls.at(named(objects, "KafkaUser", user), "spec", "authorization", "acls"));
  }

  private static Map<String, Object> acl(String type, String name, String patternType, String... operations) {
    Map<String, Object> resource = new LinkedHashMap<>();
    resource.put("type", type);
    resource.put("name", name);
    resource.put("patternType", patternType);
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("resource", resource);
    rule.put("operations", new ArrayList<>(List.of(operations)));
    return rule;
  }

  private static void grant(List<Map<String, Object>> objects, String user, Map<String, Object> rule) {
    Yamls.list(Yamls.at(named(objects, "KafkaUser", user), "spec", "authorization", "acls")).add(rule);
  }

  @Test
  void theFilterUserWritingVictimModelsFails() {
    assertCaught(securedProblemsAfter(o -> aclsOf(o, "sieve-stream").stream()
        .filter(a -> "sieve.victim-models".equals(Yamls.textAt(a, "resource", "name")))
        .forEach(a -> Yamls.list(a.get("operations")).add("Write"))),
        "KafkaUser(s) [sieve-stream] may Write sieve.victim-models; only the Victim updater's user"
            + " (sieve-victim-updater) may");
  }

  @Test
  void aSecondWriterOfCleanModelsFails() {
    assertCaught(securedProblemsAfter(o -> grant(o, "sieve-ui", acl("topic", "sieve.clean-models", "literal", "All"))),
        "KafkaUser(s) [sieve-ui] may Write sieve.clean-models; only the trainer's user (sieve-trainer) may");
  }

  @Test
  void aWriteOnThePrefixOfAllSieveTopicsFails() {
    assertCaught(securedProblemsAfter(o -> grant(o, "sieve-producer", acl("topic", "sieve", "prefix", "Write"))),
        "KafkaUser sieve-producer may Write every Sieve topic");
  }

  @Test
  void aWriteOnEveryTopicFails() {
    assertCaught(securedProblemsAfter(o -> grant(o, "sieve-trainer", acl("topic", "*", "literal", "Read", "Write"))),
        "KafkaUser sieve-trainer may Write every Sieve topic");
  }

  @Test
  void aUserThatMayChangeTheAclsFails() {
    assertCaught(securedProblemsAfter(o -> grant(o, "sieve-ui", acl("cluster", null, null, "Alter"))),
        "KafkaUser sieve-ui may Alter the cluster");
  }

  @Test
  void aDenyRuleWinsOverAnAllowRule() {
    List<String> problems = securedProblemsAfter(o -> {
      Map<String, Object> deny = acl("topic", "sieve.victim-models", "literal", "Write");
      deny.put("type", "deny");
      grant(o, "sieve-victim-updater", deny);
    });
    assertCaught(problems, "KafkaUser sieve-victim-updater may not Write topic sieve.victim-models");
  }

  @Test
  void aMissingAclFails() {
    assertCaught(securedProblemsAfter(o -> Yamls.list(Yamls.at(named(o, "KafkaUser", "sieve-trainer"), "spec",
        "authorization", "acls")).removeIf(a -> "group".equals(Yamls.textAt(a, "resource", "type")))),
        "KafkaUser sieve-trainer may not Read group sieve-beneficiary");
  }

  @Test
  void aFilterLoggingInAsTheUpdaterFails() {
    List<String> problems = securedProblemsAfter(o -> Yamls.maps(Yamls.at(named(o, "Deployment", "sieve-stream"),
        "spec", "template", "spec", "volumes")).stream()
        .filter(v -> "kafka-client".equals(v.get("name")))
        .forEach(v -> Yamls.map(v.get("secret")).put("secretName", "sieve-kafka-client-victim-updater")));
    assertCaught(problems, "logs in as KafkaUser sieve-victim-updater, as Deployment sieve-stream-updater does");
  }

  @Test
  void aSecuredDeploymentWithoutTheSigningKeyFails() {
    assertCaught(securedProblemsAfter(o -> {
      List<Object> args = Yamls.list(container(o, "sieve-trainer").get("args"));
      int at = args.indexOf(KubernetesChecks.SIGNING_KEY_OPTION);
      args.remove(at + 1);
      args.remove(at);
    }), "Deployments [sieve-trainer] pass no --model-signing-key-file");
  }

  @Test
  void aSigningKeyFileTheSecretDoesNotHoldFails() {
    assertCaught(securedProblemsAfter(o -> Yamls.map(named(o, "Secret", "sieve-model-signing-key").get("stringData"))
        .remove("model-signing.key")),
        "--model-signing-key-file /etc/sieve/model-signing/model-signing.key is not a key of a Secret");
  }

  @Test
  void aRealSigningKeyInTheRepositoryFails() {
    assertCaught(securedProblemsAfter(o -> Yamls.map(named(o, "Secret", "sieve-model-signing-key").get("stringData"))
        .put("model-signing.key", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=")),
        "Secret sieve-model-signing-key holds a model-signing key in the repository");
  }

  @Test
  void aWritableSigningKeyMountFails() {
    assertCaught(securedProblemsAfter(o -> Yamls.maps(container(o, "sieve-stream").get("volumeMounts")).stream()
        .filter(m -> "model-signing-key".equals(m.get("name"))).forEach(m -> m.put("readOnly", false))),
        "mounts the model-signing key (/etc/sieve/model-signing) writable");
  }

  @Test
  void aComposeReaderWithoutTheSigningKeyFails() {
    assertCaught(composeProblemsAfter(s -> {
      Map<String, Object> env = new LinkedHashMap<>(Yamls.map(s.get("sieve-filter").get("environment")));
      env.remove(KubernetesChecks.SIGNING_KEY_ENV);
      s.get("sieve-filter").put("environment", env);
    }), "do not: the updater signs model versions");
  }

  @Test
  void aJsonPatchOnAMissingPathIsReported() {
    Map<String, Object> doc = Yamls.map(Yamls.copy(Yamls.loadAll("spec: {template: {spec: {}}}", "x").get(0)));
    String problem = Kustomize.JsonPatch.apply(doc,
        Map.of("op", "add", "path", "/spec/template/spec/containers/0/args/-", "value", "--x"));
    assertTrue(problem != null && problem.contains("containers"), String.valueOf(problem));
  }

  // --- Dockerfiles -------------------------------------------------------------------------------

  private static String dockerfile() {
    return Repo.read(Repo.path("deploy/docker/Dockerfile"));
  }

  @Test
  void aMissingCopySourceFails() {
    assertCaught(DockerfileChecks.problems(dockerfile().replace("deploy/docker/entrypoint.sh",
        "deploy/docker/missing.sh"), "Dockerfile"), "deploy/docker/missing.sh");
  }

  @Test
  void aClassPathEntryTheImageDoesNotHoldFails() {
    assertCaught(DockerfileChecks.problems(dockerfile().replace("/opt/sieve/lib/", "/opt/sieve/libs/"), "Dockerfile"),
        "/opt/sieve/lib/*");
  }

  @Test
  void aJarTheBuildDoesNotWriteFails() {
    assertCaught(DockerfileChecks.problems(dockerfile().replace("cli/target/sieve.jar", "cli/target/sieve-cli.jar"),
        "Dockerfile"), "<finalName>sieve-cli</finalName>");
  }

  @Test
  void aMavenImageOtherThanTheWrappersFails() {
    assertCaught(DockerfileChecks.problems(dockerfile().replaceFirst("maven:\\d+\\.\\d+\\.\\d+-", "maven:3.8.1-"),
        "Dockerfile"), "the Maven wrapper pins");
  }

  @Test
  void aShellFormEntrypointFails() {
    assertCaught(DockerfileChecks.problems(dockerfile().replace("ENTRYPOINT [\"/opt/sieve/entrypoint.sh\"]",
        "ENTRYPOINT /opt/sieve/entrypoint.sh"), "Dockerfile"), "exec-form ENTRYPOINT");
  }

  @Test
  void dockerignorePatternsMatchAsDockerDoes() {
    List<String> patterns = new ArrayList<>(List.of("**/target", ".git", "deploy", "!deploy/docker"));
    assertTrue(DockerfileChecks.ignored("cli/target/sieve.jar", patterns));
    assertTrue(DockerfileChecks.ignored(".git/HEAD", patterns));
    assertTrue(DockerfileChecks.ignored("deploy/k8s/base/stream.yaml", patterns));
    assertFalse(DockerfileChecks.ignored("deploy/docker/entrypoint.sh", patterns));
    assertFalse(DockerfileChecks.ignored("cli/pom.xml", patterns));
  }
}

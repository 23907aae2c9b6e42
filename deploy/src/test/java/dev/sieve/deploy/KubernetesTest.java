package dev.sieve.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests as each kustomization under deploy/k8s renders them (base and every
 * overlay), checked by {@link KubernetesChecks}; files outside any kustomization are checked as
 * plain objects.
 */
class KubernetesTest {

  static final Path K8S = Repo.path("deploy/k8s");

  static List<Path> kustomizations() {
    return Repo.files(K8S, "kustomization.yaml").stream().map(Path::getParent).toList();
  }

  @Test
  void everyKustomizationRendersAConsistentPipeline() {
    List<Path> dirs = kustomizations();
    assertFalse(dirs.isEmpty(), "no kustomization.yaml under deploy/k8s");
    KubernetesChecks checks = new KubernetesChecks(Cli.fromSources(), Sources.topicCatalog());
    List<String> problems = new ArrayList<>();
    for (Path dir : dirs) {
      Kustomize.Build build = Kustomize.build(dir);
      problems.addAll(build.problems());
      problems.addAll(checks.problems(build.objects(), Repo.name(dir)));
      if (KubernetesChecks.ofKind(build.objects(), "Deployment").isEmpty()) {
        problems.add(Repo.name(dir) + ": renders no Deployment");
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void filesOutsideKustomizationsAreKubernetesObjects() {
    Set<Path> used = new HashSet<>();
    for (Path dir : kustomizations()) {
      used.addAll(Kustomize.build(dir).files());
    }
    List<String> problems = new ArrayList<>();
    for (Path file : Repo.files(K8S, ".yaml", ".yml")) {
      if (!used.contains(file.normalize())) {
        for (Object doc : Yamls.loadAll(file)) {
          problems.addAll(KubernetesChecks.objectProblems(doc, Repo.name(file)));
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void thePodMonitorSelectsTheSievePodsByTheirMetricsPortName() {
    List<Map<String, Object>> deployments =
        KubernetesChecks.ofKind(Kustomize.build(K8S.resolve("base")).objects(), "Deployment");
    List<String> problems = new ArrayList<>();
    for (Object doc : Yamls.loadAll(K8S.resolve("monitoring/podmonitor.yaml"))) {
      Map<String, Object> selector = Yamls.map(Yamls.at(doc, "spec", "selector", "matchLabels"));
      List<Map<String, Object>> selected = deployments.stream()
          .filter(d -> Yamls.map(Yamls.at(d, "spec", "template", "metadata", "labels")).entrySet()
              .containsAll(selector.entrySet()))
          .toList();
      if (selected.size() != deployments.size()) {
        problems.add("podmonitor.yaml selects " + selected.size() + " of " + deployments.size() + " Deployments");
      }
      for (Map<String, Object> endpoint : Yamls.maps(Yamls.at(doc, "spec", "podMetricsEndpoints"))) {
        for (Map<String, Object> d : selected) {
          boolean named = Kustomize.containers(List.of(d)).stream()
              .flatMap(c -> Yamls.maps(c.get("ports")).stream())
              .anyMatch(p -> Yamls.text(p.get("name")).equals(Yamls.text(endpoint.get("port"))));
          if (!named) {
            problems.add("podmonitor.yaml scrapes port " + endpoint.get("port") + ", which Deployment "
                + Yamls.textAt(d, "metadata", "name") + " does not name");
          }
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void theMetricsServerServesThePathsTheProbesAndScrapersUse() {
    String server = Repo.read(Repo.path("ops/src/main/java/dev/sieve/ops/MetricsServer.java"));
    assertTrue(server.contains("createContext(\"" + KubernetesChecks.HEALTH_PATH + "\""),
        "MetricsServer no longer serves " + KubernetesChecks.HEALTH_PATH);
    assertTrue(server.contains("createContext(\"/metrics\""), "MetricsServer no longer serves /metrics");
  }
}

package dev.sieve.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compose stack can start as written: see {@link ComposeChecks} and {@link PrometheusChecks}. */
class ComposeTest {

  static final Path COMPOSE = Repo.path("deploy/compose/docker-compose.yml");
  static final Path PROMETHEUS = Repo.path("deploy/compose/prometheus.yml");

  @Test
  void servicesImagesMountsAndCommandsFitTogether() {
    List<String> problems = new ComposeChecks(Cli.fromSources()).problems(Yamls.loadOne(COMPOSE), COMPOSE);
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void prometheusScrapesEverySieveServiceOnItsMetricsPort() {
    List<String> problems = PrometheusChecks.problems(Yamls.loadOne(PROMETHEUS), Repo.name(PROMETHEUS),
        Yamls.loadOne(COMPOSE), Cli.fromSources());
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }
}

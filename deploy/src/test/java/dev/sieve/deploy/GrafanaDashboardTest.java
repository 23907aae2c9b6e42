package dev.sieve.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The dashboard reads only series Sieve exposes, and the compose stack provisions it. */
class GrafanaDashboardTest {

  static final Path DASHBOARD = Repo.path("deploy/grafana/sieve-dashboard.json");
  static final Path DATASOURCES = Repo.path("deploy/grafana/provisioning/datasources/prometheus.yml");
  static final Path PROVIDERS = Repo.path("deploy/grafana/provisioning/dashboards/sieve.yml");

  static JsonNode dashboard() throws IOException {
    return new ObjectMapper().readTree(DASHBOARD.toFile());
  }

  static Set<String> provisionedUids() {
    Set<String> uids = new TreeSet<>();
    for (Map<String, Object> ds : Yamls.maps(Yamls.at(Yamls.loadOne(DATASOURCES), "datasources"))) {
      uids.add(Yamls.text(ds.get("uid")));
    }
    return uids;
  }

  @Test
  void everyPanelQueriesSeriesTheProcessesExpose() throws IOException {
    List<String> problems = DashboardChecks.problems(dashboard(), Repo.name(DASHBOARD), Sources.metricNames(),
        provisionedUids());
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void theDashboardShowsWhatAnOperatorWatches() throws IOException {
    Set<String> queried = new TreeSet<>();
    for (JsonNode p : DashboardChecks.panels(dashboard())) {
      for (JsonNode t : p.path("targets")) {
        queried.addAll(DashboardChecks.metricNames(t.path("expr").asText()));
      }
    }
    List<String> missing = new ArrayList<>();
    for (String needed : List.of("sieve_quarantine_rate", "sieve_verdicts_total", "sieve_entropy_bucket",
        "sieve_victim_version", "sieve_batch_size_sum", "sieve_batch_latency_seconds_bucket",
        "kafka_consumer_fetch_manager_records_lag_max", "sieve_trainer_loss", "sieve_trainer_steps_total",
        "sieve_dead_letters_total", "sieve_alerts_total")) {
      if (!queried.contains(needed)) {
        missing.add(needed);
      }
    }
    assertTrue(missing.isEmpty(), "the dashboard has no panel for " + missing);
  }

  @Test
  void composeMountsTheDashboardWhereTheProviderLooks() {
    String providerPath = null;
    for (Map<String, Object> p : Yamls.maps(Yamls.at(Yamls.loadOne(PROVIDERS), "providers"))) {
      providerPath = Yamls.textAt(p, "options", "path");
    }
    Map<String, Object> grafana = ComposeChecks.services(Yamls.loadOne(ComposeTest.COMPOSE)).get("grafana");
    String mountedDir = null;
    for (ComposeChecks.Mount m : ComposeChecks.mounts(grafana)) {
      if (m.source() != null && m.source().endsWith("/" + DASHBOARD.getFileName())) {
        mountedDir = Path.of(m.target()).getParent().toString();
        assertEquals(DASHBOARD.normalize(), ComposeTest.COMPOSE.getParent().resolve(m.source()).normalize(),
            "compose mounts another file than " + Repo.name(DASHBOARD));
      }
    }
    assertEquals(providerPath, mountedDir, "the dashboard provider reads " + providerPath
        + " but compose mounts the dashboard into " + mountedDir);
    String url = Yamls.textAt(Yamls.maps(Yamls.at(Yamls.loadOne(DATASOURCES), "datasources")).get(0), "url");
    String host = url.replaceFirst("^https?://", "").replaceFirst(":.*$", "");
    assertTrue(ComposeChecks.services(Yamls.loadOne(ComposeTest.COMPOSE)).containsKey(host),
        "the data source points at " + url + ", but compose has no service " + host);
  }
}

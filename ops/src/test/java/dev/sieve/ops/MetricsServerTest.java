package dev.sieve.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusTextWithRoleTagAndJvmMeters() throws Exception {
    PrometheusMeterRegistry registry = Meters.prometheus("stream");
    registry.counter("sieve.verdicts", "class", "3", "decision", "quarantine").increment(2);
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry, Health.alwaysUp("ok"))) {
      HttpResponse<String> r = get(server, "/metrics");
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("sieve_verdicts_total{class=\"3\",decision=\"quarantine\",role=\"stream\"} 2.0"),
          r.body());
      assertTrue(r.body().contains("jvm_memory_used_bytes"), "JVM meters are bound");
    }
  }

  @Test
  void healthFollowsTheCheck() throws Exception {
    AtomicReference<Health> state = new AtomicReference<>(Health.down("REBALANCING \"x\""));
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, Meters.prometheus("train"), state::get)) {
      HttpResponse<String> down = get(server, "/health");
      assertEquals(503, down.statusCode());
      assertEquals("{\"status\":\"DOWN\",\"detail\":\"REBALANCING \\\"x\\\"\"}", down.body());
      state.set(Health.up("RUNNING"));
      HttpResponse<String> up = get(server, "/health");
      assertEquals(200, up.statusCode());
      assertEquals("{\"status\":\"UP\",\"detail\":\"RUNNING\"}", up.body());
      state.set(null);
      assertEquals(503, get(server, "/health").statusCode(), "a failing check reads as down, not as a crash");
    }
  }

  @Test
  void refusesWritesAndBusyPorts() throws Exception {
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, Meters.prometheus("train"), Health.alwaysUp("ok"))) {
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
      UncheckedIOException busy = assertThrows(UncheckedIOException.class,
          () -> MetricsServer.start("127.0.0.1", server.port(), Meters.prometheus("x"), Health.alwaysUp("ok")));
      assertTrue(busy.getMessage().contains(":" + server.port()), busy.getMessage());
    }
  }
}

package dev.sieve.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (Prometheus text) and {@code GET /health} (200 or 503 with a JSON body) on
 * the JDK's own HTTP server: two read-only endpoints do not justify a web framework, and the
 * server must start in every process, the CLI demo included.
 *
 * <p>It binds to 127.0.0.1 unless told otherwise, so a metrics port never opens to the network by
 * accident; containers pass 0.0.0.0.
 */
public final class MetricsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  public static final String DEFAULT_BIND = "127.0.0.1";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving.
   *
   * @param bind address to listen on, e.g. 127.0.0.1 or 0.0.0.0
   * @param port TCP port; 0 picks a free one (see {@link #port()})
   * @throws UncheckedIOException when the port cannot be bound, naming it
   */
  public static MetricsServer start(String bind, int port, PrometheusMeterRegistry registry, Supplier<Health> health) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(health, "health");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("metrics port is " + port + ", expected 0-65535");
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + bind + ":" + port + " (" + e.getMessage()
          + "); pick another port with --metrics-port", e);
    }
    server.createContext("/metrics", exchange -> {
      if (refuseNonGet(exchange)) {
        return;
      }
      respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    });
    server.createContext("/health", exchange -> {
      if (refuseNonGet(exchange)) {
        return;
      }
      Health h;
      try {
        h = health.get();
        if (h == null) {
          h = Health.down("health check returned nothing");
        }
      } catch (RuntimeException e) {
        h = Health.down("health check failed: " + e);
      }
      respond(exchange, h.up() ? 200 : 503, "application/json", h.json());
    });
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sieve-metrics-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    LOG.info("metrics on http://{}:{}/metrics, health on /health", bind, server.getAddress().getPort());
    return new MetricsServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static boolean refuseNonGet(HttpExchange exchange) throws IOException {
    if ("GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod())) {
      return false;
    }
    exchange.getResponseHeaders().add("Allow", "GET, HEAD");
    respond(exchange, 405, "text/plain", "only GET\n");
    return true;
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", contentType);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

package dev.sieve.cli;

import dev.sieve.ops.Health;
import dev.sieve.ops.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** Where a long-running command serves {@code /metrics} and {@code /health}. */
final class MetricsOptions {

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Prometheus /metrics and /health on this port (default: 9400 for stream, 9401 for train).")
  Integer port;

  @Option(names = "--metrics-bind", defaultValue = MetricsServer.DEFAULT_BIND, paramLabel = "ADDR",
      description = "Address the metrics server listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 in a container).")
  String bind;

  @Option(names = "--no-metrics", description = "Serve no metrics endpoint.")
  boolean disabled;

  /** The started server, or null with --no-metrics. */
  MetricsServer start(int defaultPort, PrometheusMeterRegistry registry, Supplier<Health> health) {
    if (disabled) {
      return null;
    }
    return MetricsServer.start(bind, port == null ? defaultPort : port, registry, health);
  }
}

package dev.sieve.ops;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The one registry a Sieve process exposes, with the JVM's own meters already bound. */
public final class Meters {

  private Meters() {}

  /**
   * A Prometheus registry tagged with the process's role, so one dashboard can tell the filter
   * from the trainer when both are scraped into one Prometheus.
   *
   * @param role "stream" or "train", the {@code role} tag on every meter
   */
  public static PrometheusMeterRegistry prometheus(String role) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("role", role);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    // JvmGcMetrics listens to GC notifications until closed; a process-lifetime registry never
    // closes it, and the listener is daemon-like, so it is bound and left.
    new JvmGcMetrics().bindTo(registry);
    return registry;
  }
}

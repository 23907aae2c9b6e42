package dev.sieve.stream.app;

import dev.sieve.ops.Health;
import dev.sieve.stream.metrics.MicrometerFilterMetrics;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.topology.FilterMetrics;
import dev.sieve.stream.topology.FilterTopology;
import dev.sieve.stream.topology.StreamsSettings;
import dev.sieve.stream.updater.SplitPolicy;
import dev.sieve.stream.updater.VictimUpdater;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.stream.victim.VictimWatcher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running filter instance: the Streams topology, the watcher that hot-swaps Victim versions
 * into it, and (on the one instance that owns it) the Victim updater. This class only wires; the
 * topology is {@link FilterTopology#build}, a pure function of config and registry.
 */
public final class FilterApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FilterApp.class);

  private final VictimRegistry registry = new VictimRegistry();
  private final KafkaStreams streams;
  private final VictimWatcher watcher;
  private final VictimUpdater updater;
  private final MicrometerFilterMetrics metrics;
  private final KafkaStreamsMetrics streamsMetrics;

  /** An instance without metrics. */
  public FilterApp(String bootstrapServers, FilterConfig filter, Path stateDir, VictimUpdaterConfig updaterConfig,
      SplitPolicy policy, Map<String, String> clientOverrides) {
    this(bootstrapServers, filter, stateDir, updaterConfig, policy, clientOverrides, null);
  }

  /**
   * @param updaterConfig the Victim updater's config, or null on an instance that only filters
   * @param clientOverrides extra client settings (security, timeouts) applied to every client
   * @param meters where the filter's meters and the Kafka Streams client metrics go, or null for none
   */
  public FilterApp(String bootstrapServers, FilterConfig filter, Path stateDir, VictimUpdaterConfig updaterConfig,
      SplitPolicy policy, Map<String, String> clientOverrides, MeterRegistry meters) {
    Map<String, String> overrides = clientOverrides == null ? Map.of() : clientOverrides;
    Properties props = StreamsSettings.properties(bootstrapServers, filter, stateDir, overrides);
    this.metrics = meters == null ? null
        : new MicrometerFilterMetrics(meters, filter.numClasses(), MicrometerFilterMetrics.DEFAULT_RATE_WINDOW);
    FilterMetrics hooks = metrics == null ? FilterMetrics.NONE : metrics;
    this.streams = new KafkaStreams(FilterTopology.build(filter, registry, hooks), props);
    // Streams, consumer, producer and admin client metrics (lag, process rate, commit latency).
    this.streamsMetrics = meters == null ? null : new KafkaStreamsMetrics(streams);
    if (streamsMetrics != null) {
      streamsMetrics.bindTo(meters);
    }
    // A failing stream thread is replaced rather than killing the app: under exactly-once its
    // uncommitted work is aborted and redone by the new thread, so nothing is lost or doubled.
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("stream thread failed, replacing it: {}", e.toString(), e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    Map<String, Object> clientProps = new HashMap<>(overrides);
    this.watcher = new VictimWatcher(bootstrapServers, filter.topics().victimModels(),
        updaterConfig == null ? VictimUpdaterConfig.DEFAULT_MODEL_ID : updaterConfig.modelId(), registry, clientProps);
    this.updater = updaterConfig == null ? null
        : new VictimUpdater(bootstrapServers, updaterConfig, filter, policy, clientProps);
  }

  public FilterApp start() {
    watcher.start();
    if (updater != null) {
      updater.start();
    }
    streams.start();
    return this;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * Up while Kafka Streams runs or rebalances (a rebalance is routine and short); down while it
   * starts, after an error, or once it is shutting down, so a probe restarts a filter whose
   * threads have all died.
   */
  public Health health() {
    KafkaStreams.State state = streams.state();
    return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING
        ? Health.up(state.name()) : Health.down(state.name());
  }

  /** The filter's meters, when built with a registry. */
  public Optional<MicrometerFilterMetrics> metrics() {
    return Optional.ofNullable(metrics);
  }

  public VictimRegistry registry() {
    return registry;
  }

  public Optional<VictimUpdater> updater() {
    return Optional.ofNullable(updater);
  }

  /** Victim versions published but refused (missing file, wrong sha256, ...), most recent last. */
  public List<VictimWatcher.Refusal> victimRefusals() {
    return watcher.refusals();
  }

  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    streams.close(Duration.ofSeconds(30));
    if (updater != null) {
      updater.close();
    }
    watcher.close();
    registry.close();
  }
}

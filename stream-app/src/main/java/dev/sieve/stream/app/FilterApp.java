package dev.sieve.stream.app;

import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.topology.FilterTopology;
import dev.sieve.stream.topology.StreamsSettings;
import dev.sieve.stream.updater.SplitPolicy;
import dev.sieve.stream.updater.VictimUpdater;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.stream.victim.VictimWatcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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

  /**
   * @param updaterConfig the Victim updater's config, or null on an instance that only filters
   * @param clientOverrides extra client settings (security, timeouts) applied to every client
   */
  public FilterApp(String bootstrapServers, FilterConfig filter, Path stateDir, VictimUpdaterConfig updaterConfig,
      SplitPolicy policy, Map<String, String> clientOverrides) {
    Map<String, String> overrides = clientOverrides == null ? Map.of() : clientOverrides;
    Properties props = StreamsSettings.properties(bootstrapServers, filter, stateDir, overrides);
    this.streams = new KafkaStreams(FilterTopology.build(filter, registry), props);
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

  public VictimRegistry registry() {
    return registry;
  }

  public Optional<VictimUpdater> updater() {
    return Optional.ofNullable(updater);
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
    if (updater != null) {
      updater.close();
    }
    watcher.close();
    registry.close();
  }
}

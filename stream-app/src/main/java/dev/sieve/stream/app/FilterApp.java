package dev.sieve.stream.app;

import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.model.scoring.Victim;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.model.versions.VictimFollower;
import dev.sieve.ops.Health;
import dev.sieve.stream.metrics.MicrometerFilterMetrics;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.topology.FilterMetrics;
import dev.sieve.stream.topology.FilterTopology;
import dev.sieve.stream.updater.VictimUpdater;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.stream.victim.VictimRegistry;
import dev.sieve.wire.DecodeLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running filter instance: the Streams topology, the follower that hot-swaps Victim versions
 * into it, and (on the one instance that owns it) the Victim updater. This class only wires; the
 * topology is {@link FilterTopology#build}, a pure function of config and registry.
 */
public final class FilterApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FilterApp.class);
  private static final Duration STREAMS_CLOSE_WAIT = Duration.ofSeconds(30);

  private final VictimRegistry registry = new VictimRegistry();
  private final KafkaStreams streams;
  private final VictimFollower follower;
  private final VictimFreshness freshness;
  private final VictimUpdater updater;
  private final MicrometerFilterMetrics metrics;
  private final Map<String, Long> rejudgedBy = new ConcurrentHashMap<>();
  private final KafkaStreamsMetrics streamsMetrics;
  private final String victimModelsTopic;
  private volatile boolean started;
  /** Set by {@link #close()}: what did not stop within its wait. */
  private volatile List<String> stopProblems;
  /** The model id of the Victim installed by {@link #installInitialVictim}, null without one. */
  private volatile String initialModelId;

  /** An instance without metrics, with the default health limits. */
  public FilterApp(String bootstrapServers, FilterConfig filter, Path stateDir, VictimUpdaterConfig updaterConfig,
      SplitPolicy policy, Map<String, String> clientOverrides, ModelTrust trust) {
    this(bootstrapServers, filter, stateDir, updaterConfig, policy, clientOverrides, trust, null,
        VictimFreshness.Limits.DEFAULT.firstVictimTimeout(), VictimFreshness.Limits.DEFAULT.staleAfterSamples());
  }

  /**
   * @param updaterConfig the Victim updater's config, or null on an instance that only filters
   * @param clientOverrides extra client settings (security, timeouts) applied to every client
   * @param trust which Victim versions are installed (checkpoint root, limits, signing key); the
   *     updater signs its versions with the same key
   * @param meters where the filter's meters and the Kafka Streams client metrics go, or null for none
   * @param firstVictimTimeout {@link #health()} is down once samples have waited this long for a
   *     first Victim version
   * @param staleAfterSamples {@link #health()} is down once one Victim version has judged this many
   *     samples with no newer one
   */
  public FilterApp(String bootstrapServers, FilterConfig filter, Path stateDir, VictimUpdaterConfig updaterConfig,
      SplitPolicy policy, Map<String, String> clientOverrides, ModelTrust trust, MeterRegistry meters,
      Duration firstVictimTimeout, long staleAfterSamples) {
    Map<String, String> overrides = clientOverrides == null ? Map.of() : clientOverrides;
    this.victimModelsTopic = filter.topics().victimModels();
    DecodeLimits.configure(filter.maxRecordBytes());
    Properties props = StreamsProperties.properties(bootstrapServers, filter, stateDir, overrides);
    this.metrics = meters == null ? null
        : new MicrometerFilterMetrics(meters, filter.numClasses(), MicrometerFilterMetrics.DEFAULT_RATE_WINDOW);
    this.freshness = new VictimFreshness(new VictimFreshness.Limits(firstVictimTimeout, staleAfterSamples),
        System::currentTimeMillis);
    FilterMetrics rejudges = new FilterMetrics() {
      @Override
      public void rejudged(String task, long victimVersion, long examined, long retracted) {
        rejudgedBy.merge(task, victimVersion, Math::max);
      }
    };
    FilterMetrics hooks = FilterMetrics.both(metrics == null ? freshness : FilterMetrics.both(metrics, freshness),
        rejudges);
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
    // The registry owns what it is handed: it closes a version it refuses, and a retired one once
    // its last batch is done.
    // The follower refuses versions for another shape than the one the filter validates against.
    trust = trust.withDataset(filter.shape());
    this.follower = new VictimFollower(bootstrapServers, filter.topics().victimModels(),
        updaterConfig == null ? VictimUpdaterConfig.DEFAULT_MODEL_ID : updaterConfig.modelId(),
        "sieve-victim-follower-" + UUID.randomUUID(), overrides, trust, Optional.empty(), registry::swap,
        refusal -> metrics().ifPresent(m -> m.victimRefused(refusal)));
    this.updater = updaterConfig == null ? null
        : new VictimUpdater(bootstrapServers, updaterConfig, filter, policy, clientProps, trust.signingKey());
  }

  /**
   * Installs {@code initial} (from {@code ModelTrust.loadInitial}, version 0) as the Victim in
   * force until the first published version replaces it, so that samples are judged and released
   * from the first batch instead of waiting for the updater's head. The registry owns it from now
   * on. Call before {@link #start()}.
   */
  public FilterApp installInitialVictim(Victim initial) {
    if (started) {
      throw new IllegalStateException("the initial Victim must be installed before the filter starts");
    }
    if (!registry.swap(initial)) {
      throw new IllegalStateException("initial Victim " + initial.modelId() + " v" + initial.version()
          + " was not installed: a Victim is in force already");
    }
    initialModelId = initial.modelId();
    LOG.info("initial Victim {} installed as v{}: it judges until the first published Victim version",
        initial.modelId(), initial.version());
    return this;
  }

  public FilterApp start() {
    started = true;
    follower.start();
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
   * Up while Kafka Streams runs or rebalances (a rebalance is routine and short), the Victim
   * follower and (here) the updater run, and the Victim is fresh ({@link VictimFreshness}). Down,
   * with every reason in the detail, while Streams starts, after an error, once it is shutting
   * down, when a follower or updater thread has died, or when samples wait too long for a first
   * Victim or one version has judged too many; a probe then restarts the instance or pages someone.
   * The detail names the Victim in force or, before the first version, what the filter waits for
   * ({@link #victimInWords()}): a quiet filter is up, and says why it releases nothing.
   */
  public Health health() {
    KafkaStreams.State state = streams.state();
    List<String> problems = new ArrayList<>();
    if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
      problems.add("Kafka Streams is " + state.name());
    }
    follower.failure().ifPresent(problems::add);
    if (updater != null) {
      updater.failure().ifPresent(problems::add);
    }
    freshness.problem(registry.currentVersion()).ifPresent(problems::add);
    String victim = victimInWords();
    return problems.isEmpty() ? Health.up(state.name() + ", " + victim)
        : Health.down(String.join("; ", problems) + " (" + victim + ")");
  }

  /**
   * Which Victim judges here, and until the updater's first version is in force, what the filter
   * waits for: e.g. "no victim yet: victim collecting head: 312/10000 samples (...); nothing is
   * released until the first Victim version". Part of {@link #health()}'s detail.
   */
  public String victimInWords() {
    return new VictimWait(registry.currentVersion(), initialModelId,
        updater == null ? null : VictimWait.UpdaterState.of(updater), victimModelsTopic).describe();
  }

  /** The filter's meters, when built with a registry. */
  public Optional<MicrometerFilterMetrics> metrics() {
    return Optional.ofNullable(metrics);
  }

  public VictimRegistry registry() {
    return registry;
  }

  /**
   * Per stream task of this instance, the newest Victim version that has finished re-judging the
   * samples the task released (and emitted their retractions); a task appears once a version has.
   */
  public Map<String, Long> rejudgedBy() {
    return Map.copyOf(rejudgedBy);
  }

  public Optional<VictimUpdater> updater() {
    return Optional.ofNullable(updater);
  }

  /** Victim versions published but refused (unsigned, missing file, wrong sha256, ...), most recent last. */
  public List<VictimFollower.Refusal> victimRefusals() {
    return follower.refusals();
  }

  /**
   * Stops Kafka Streams (its threads release their Victim leases), joins the Victim updater and
   * the follower, then closes the registry, which frees each Victim once no batch holds it. A
   * thread that does not stop in time keeps what it uses: {@link #stoppedCleanly()} says so.
   */
  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    List<String> problems = new ArrayList<>();
    if (!streams.close(STREAMS_CLOSE_WAIT)) {
      problems.add("Kafka Streams did not stop within " + STREAMS_CLOSE_WAIT.toSeconds() + " s");
    }
    if (updater != null) {
      updater.close();
      if (!updater.stopped()) {
        problems.add("the Victim updater was still in a forward pass");
      }
    }
    follower.close();
    registry.close();
    stopProblems = List.copyOf(problems);
  }

  /** After {@link #close()}: whether every thread of the app stopped within its wait. */
  public boolean stoppedCleanly() {
    return stopProblems != null && stopProblems.isEmpty();
  }

  /** After {@link #close()}: what did not stop in time; empty when {@link #stoppedCleanly()}. */
  public List<String> stopProblems() {
    return stopProblems == null ? List.of("not closed") : stopProblems;
  }
}

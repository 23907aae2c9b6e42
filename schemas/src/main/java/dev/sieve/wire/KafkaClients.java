package dev.sieve.wire;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The one way Sieve builds the settings of a Kafka client, in three layers: the caller's defaults
 * (a poll size, a client id), then the operator's overrides ({@code --client-config}: security,
 * timeouts, tuning), then what the caller's correctness depends on, which no override can change
 * (read_committed for a reader of verdicts, no auto-commit where offsets live elsewhere).
 *
 * <pre>{@code
 * Map<String, Object> config = KafkaClients.of(bootstrap, overrides).clientId("sieve-ui-follower")
 *     .byDefault(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000).reader().build();
 * }</pre>
 *
 * {@link #toString()} hides secrets ({@link ClientSecrets}), so a builder or its map may be logged.
 */
public final class KafkaClients {

  private final Map<String, Object> defaults = new LinkedHashMap<>();
  private final Map<String, Object> overrides = new LinkedHashMap<>();
  private final Map<String, Object> required = new LinkedHashMap<>();
  private boolean groupless;

  private KafkaClients(String bootstrapServers, Map<String, ?> overrides) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    this.defaults.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    if (overrides != null) {
      this.overrides.putAll(overrides);
    }
    // The cluster address is the caller's, not something a client-config file may redirect.
    this.required.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
  }

  /** Settings for a client of the cluster at {@code bootstrapServers}, with the operator's {@code overrides}. */
  public static KafkaClients of(String bootstrapServers, Map<String, ?> overrides) {
    return new KafkaClients(bootstrapServers, overrides);
  }

  /** The client id, unless the overrides name one. */
  public KafkaClients clientId(String clientId) {
    return byDefault(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
  }

  /** A setting the overrides may change. */
  public KafkaClients byDefault(String key, Object value) {
    defaults.put(key, value);
    return this;
  }

  /** A setting the caller depends on: it wins over the overrides. */
  public KafkaClients require(String key, Object value) {
    required.put(key, value);
    return this;
  }

  /**
   * A consumer that sees committed records only and never commits offsets on its own (positions
   * live in a checkpoint, or nowhere); unless a group id is {@linkplain #require required}, it
   * reads with {@code assign()} outside any group, whatever the overrides say.
   */
  public KafkaClients reader() {
    require(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    require(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    groupless = true;
    return this;
  }

  /** The settings: defaults, then overrides, then the required ones. */
  public Map<String, Object> build() {
    Map<String, Object> out = new HashMap<>(defaults);
    out.putAll(overrides);
    out.putAll(required);
    if (groupless && !required.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
      out.remove(ConsumerConfig.GROUP_ID_CONFIG);
      out.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }
    return out;
  }

  @Override
  public String toString() {
    return "KafkaClients" + ClientSecrets.redact(build());
  }
}

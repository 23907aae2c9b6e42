package dev.sieve.stream.victim;

import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.AvroSerde;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted Victim-models topic and hot-swaps each new version into the
 * {@link VictimRegistry}. It reads from the beginning every time it starts, so a restarted stream
 * instance picks up the newest version at once; the registry ignores versions that are not newer.
 * A version that cannot be loaded (missing file, wrong sha256, unknown architecture, no split) is
 * refused with a logged reason and the current version stays in force; the most recent refusals
 * are kept ({@link #refusals()}) so that an operator or a test can ask why a version never arrived.
 */
public final class VictimWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(VictimWatcher.class);
  /** Refusals kept for {@link #refusals()}; older ones are only in the log. */
  static final int KEPT_REFUSALS = 32;

  /**
   * A version that was published but not installed.
   *
   * @param modelId the model id of the published version
   * @param version its version number
   * @param checkpointUri where it said its weights are
   * @param reason why it was refused, as logged
   */
  public record Refusal(String modelId, long version, String checkpointUri, String reason) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final String modelId;
  private final VictimRegistry registry;
  private final AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Deque<Refusal> refusals = new ArrayDeque<>();
  private final Thread thread;

  public VictimWatcher(String bootstrapServers, String topic, String modelId, VictimRegistry registry,
      Map<String, Object> clientOverrides) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sieve-victim-watcher-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.putAll(clientOverrides);
    this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.modelId = modelId;
    this.registry = registry;
    this.thread = new Thread(this::run, "sieve-victim-watcher");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running.get()) {
        ModelVersion newest = null;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() == null) {
            continue;
          }
          try {
            ModelVersion version = serde.decode(record.value());
            if (version.getModelId().equals(modelId) && (newest == null || version.getVersion() > newest.getVersion())) {
              newest = version;
            }
          } catch (RuntimeException e) {
            LOG.error("refusing record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
          }
        }
        // Only the newest of a poll is loaded: older ones would be swapped out at once.
        if (newest != null && newest.getVersion() > registry.currentVersion().orElse(Long.MIN_VALUE)) {
          install(newest);
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("victim watcher stopped: {}", e.toString(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void install(ModelVersion version) {
    long started = System.nanoTime();
    try {
      DjlVictim victim = VictimLoader.load(version);
      registry.swap(victim);
      LOG.info("victim v{} installed ({} ms): {}", version.getVersion(),
          (System.nanoTime() - started) / 1_000_000, victim.split());
    } catch (RuntimeException e) {
      LOG.error("refusing victim v{} from {}: {}", version.getVersion(), version.getCheckpointUri(), e.getMessage());
      synchronized (refusals) {
        if (refusals.size() == KEPT_REFUSALS) {
          refusals.removeFirst();
        }
        refusals.addLast(new Refusal(version.getModelId(), version.getVersion(), version.getCheckpointUri(),
            String.valueOf(e.getMessage())));
      }
    }
  }

  /** The most recent versions that could not be loaded, oldest first (at most {@code KEPT_REFUSALS} = 32). */
  public List<Refusal> refusals() {
    synchronized (refusals) {
      return List.copyOf(refusals);
    }
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.sieve.model.versions;

import dev.sieve.model.Architecture;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.scoring.FeatureTest;
import dev.sieve.schemas.DatasetShape;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.ModelSigningKey;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes model versions the way every Sieve model is published: the weights stay in the
 * checkpoint store, and only a {@link ModelVersion} (the file's URI and sha256) goes on a
 * compacted model topic, keyed by model id so that compaction keeps the newest. Used for the
 * Victim's versions and for the Beneficiary's clean models alike.
 */
public final class ModelPublisher implements AutoCloseable {

  private static final long ACK_TIMEOUT_SECONDS = 60;

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();
  private final Optional<ModelSigningKey> signingKey;

  /**
   * @param clientOverrides extra client settings (security), applied last
   * @param signingKey when present, every version is signed with it, so that readers holding the
   *     same key can tell it from a forged one; without it versions go out unsigned
   */
  public ModelPublisher(String bootstrapServers, String topic, String clientId, Map<String, ?> clientOverrides,
      Optional<ModelSigningKey> signingKey) {
    this.topic = topic;
    this.signingKey = signingKey;
    // A retried send must not put a version on the topic twice.
    Map<String, Object> config = KafkaClients.of(bootstrapServers, clientOverrides).clientId(clientId)
        .byDefault(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true).byDefault(ProducerConfig.ACKS_CONFIG, "all").build();
    this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A checkpoint written and announced: the file, and the version that went on the topic. */
  public record Published(StoredCheckpoint checkpoint, ModelVersion version) {}

  /** Writes the checkpoint to {@code store}, then announces it. */
  public ModelVersion publish(CheckpointStore store, CheckpointMeta meta, byte[] parameters) {
    return writeAndAnnounce(store, meta, parameters).version();
  }

  /**
   * As {@link #publish}, for a caller that keeps the written checkpoint too. The one place that
   * writes then announces, so that no version is announced before its file is complete.
   */
  public Published writeAndAnnounce(CheckpointStore store, CheckpointMeta meta, byte[] parameters) {
    StoredCheckpoint written = store.write(meta, parameters);
    return new Published(written, announce(written));
  }

  /**
   * The metrics a version's message carries: the checkpoint's, less the weights of an in-class
   * feature test ({@code featureWidth} numbers per flagged class, which would crowd a record meant
   * for people and dashboards). The checkpoint, which readers route by, keeps them; the message
   * keeps the test's method, width and per-class cuts, which {@link ModelTrust#load} checks
   * against the checkpoint like the rest of the split.
   */
  public static Map<String, Double> publishedMetrics(Map<String, Double> checkpointMetrics) {
    Map<String, Double> metrics = new TreeMap<>(checkpointMetrics);
    metrics.keySet().removeIf(FeatureTest::isWeight);
    return metrics;
  }

  /** Announces a written checkpoint, signed when a key is held, and waits until Kafka has acknowledged it. */
  public ModelVersion announce(StoredCheckpoint checkpoint) {
    Map<String, Double> metrics = publishedMetrics(checkpoint.meta().metrics());
    ModelVersion unsigned = ModelVersion.newBuilder()
        .setModelId(checkpoint.meta().modelId())
        .setVersion(checkpoint.meta().version())
        .setArchitecture(checkpoint.meta().architecture())
        .setCheckpointUri(checkpoint.uri().toString())
        .setSha256(checkpoint.sha256())
        .setMetrics(metrics)
        .setCreatedAt(checkpoint.meta().createdAt())
        .setDataset(shapeOf(checkpoint.meta().architecture()))
        .build();
    ModelVersion version = signingKey.map(key -> key.sign(unsigned)).orElse(unsigned);
    String what = version.getModelId() + " v" + version.getVersion();
    try {
      var ack = producer.send(new ProducerRecord<>(topic,
          version.getModelId().getBytes(StandardCharsets.UTF_8), serde.encode(version)));
      producer.flush();
      ack.get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish " + what + " to " + topic + " (checkpoint "
          + checkpoint.path() + " is written): " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no acknowledgement for " + what + " on " + topic + " within "
          + ACK_TIMEOUT_SECONDS + " s (checkpoint " + checkpoint.path() + " is written)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing " + what + " to " + topic, e);
    }
    return version;
  }

  /** The shape the checkpoint's architecture takes, so readers can refuse another before reading the file. */
  private static DatasetShape shapeOf(String architectureId) {
    Architecture a;
    try {
      a = Architecture.byId(architectureId);
    } catch (IllegalArgumentException e) {
      return null; // no shape to declare; every reader refuses the unknown architecture itself
    }
    return DatasetShape.newBuilder().setChannels(a.channels()).setHeight(a.height()).setWidth(a.width())
        .setNumClasses(a.numClasses()).build();
  }

  @Override
  public void close() {
    producer.close();
  }
}

package dev.sieve.stream.app;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Victim versions published the way the Victim updater publishes them (a real checkpoint of a
 * real network, a ModelVersion with its URI, sha256 and split on victim-models), for tests that
 * run the filter without the updater. A version can be spoiled before it is published, to see
 * the filter refuse it.
 */
final class TestVictims {

  static final Architecture ARCHITECTURE = Architecture.FMNIST_CNN_V1;

  private final String bootstrap;
  private final TopicNames topics;
  private final CheckpointStore store;
  private final AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();

  TestVictims(String bootstrap, TopicNames topics, Path checkpointDir) {
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.store = new CheckpointStore(checkpointDir);
  }

  Path checkpointDir() {
    return store.dir();
  }

  /**
   * Writes the checkpoint of version {@code version} (a freshly initialised network seeded with the
   * version) with a split that finds nothing suspect, and returns its ModelVersion, unsigned and not
   * yet published.
   */
  ModelVersion write(long version) {
    return write(store, version, ARCHITECTURE.id(), nothingSuspect());
  }

  /** A split that finds nothing suspect in any class. */
  static Map<String, Double> nothingSuspect() {
    double[] thresholds = new double[ARCHITECTURE.numClasses()];
    Arrays.fill(thresholds, -1);
    return new SplitRule(0.0, 1.0, thresholds).toMetrics();
  }

  /**
   * Writes a checkpoint of the small CNN's weights into {@code target} whose header says
   * {@code architecture} and carries {@code metrics} (the split, or none), as a broken or hostile
   * publisher might, and returns the ModelVersion that names it.
   */
  static ModelVersion write(CheckpointStore target, long version, String architecture, Map<String, Double> metrics) {
    StoredCheckpoint stored;
    Architecture layers;
    try {
      layers = Architecture.byId(architecture); // a real network of the shape the header names
    } catch (IllegalArgumentException unknown) {
      layers = ARCHITECTURE;
    }
    try (Network network = Network.create(layers, version)) {
      stored = target.write(new CheckpointMeta(VictimUpdaterConfig.DEFAULT_MODEL_ID, version, architecture,
          Instant.now(), metrics, Map.of()), network.parameters());
    }
    return ModelVersion.newBuilder()
        .setModelId(VictimUpdaterConfig.DEFAULT_MODEL_ID)
        .setVersion(version)
        .setArchitecture(architecture)
        .setCheckpointUri(stored.uri().toString())
        .setSha256(stored.sha256())
        .setMetrics(metrics)
        .setCreatedAt(stored.meta().createdAt())
        .build();
  }

  /** Puts {@code version} on victim-models, keyed by model id, and waits for the ack. */
  void publish(ModelVersion version) {
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.victimModels(),
          version.getModelId().getBytes(StandardCharsets.UTF_8), serde.encode(version))).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot publish victim v" + version.getVersion() + " to " + topics.victimModels(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing victim v" + version.getVersion(), e);
    }
  }
}

package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.SampleWindow;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.defense.dbd.DbdSettings;
import dev.sieve.model.defense.dbd.DbdTrainer;
import dev.sieve.model.defense.dbd.EpochListener;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.ClientSecrets;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./sieve train --mode dbd}: the Beneficiary trained with DBD instead of V&amp;B's recipe.
 *
 * <p>DBD does not trust the filter: it reads credible AND quarantined samples with their claimed
 * labels and makes its own split (see {@link DbdTrainer}). Its first stage is self-supervised
 * learning over the whole data set, so it is a batch method: this trainer keeps the last {@code
 * windowSize} samples and, every {@code roundEvery} new ones (and once more when the topics go
 * quiet, with {@code --until-idle-s}), trains a fresh network on the window through all three
 * stages, then writes and announces a checkpoint.
 *
 * <p>It reads with {@code assign()} and no consumer group: a round takes minutes, and a group
 * member that stops polling that long would be thrown out. The offsets are in each checkpoint
 * instead. A restart re-reads the topics from the beginning to rebuild the window (the window is
 * data, and the log still holds it) and starts counting new samples after the checkpoint's offsets.
 */
public final class DbdBeneficiary implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DbdBeneficiary.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  public static final String DEFAULT_MODEL_ID = "beneficiary-dbd";

  /**
   * How the DBD Beneficiary runs; see the class comment.
   *
   * @param signingKey signs the published clean models, when present
   */
  public record Config(String bootstrapServers, TopicNames topics, Map<String, String> clientOverrides,
      Path checkpointDir, String modelId, Architecture architecture, int windowSize, int roundEvery,
      DbdSettings dbd, long seed, Optional<ModelSigningKey> signingKey) {
    public Config {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(topics, "topics");
      clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
      Objects.requireNonNull(checkpointDir, "checkpointDir");
      Objects.requireNonNull(dbd, "dbd");
      Objects.requireNonNull(signingKey, "signingKey (Optional.empty() for none)");
      if (windowSize < 2 || roundEvery < 1) {
        throw new IllegalArgumentException("need windowSize >= 2 and roundEvery >= 1, got " + windowSize + " and "
            + roundEvery);
      }
    }

    /** Clears the secrets in {@link #clientOverrides}: this record is logged. */
    @Override
    public String toString() {
      return "DbdBeneficiary.Config[bootstrapServers=" + bootstrapServers + ", topics=" + topics + ", clientOverrides="
          + ClientSecrets.redact(clientOverrides) + ", checkpointDir=" + checkpointDir + ", modelId=" + modelId
          + ", architecture=" + architecture + ", windowSize=" + windowSize + ", roundEvery=" + roundEvery
          + ", dbd=" + dbd + ", seed=" + seed + ", signingKey=" + signingKey + "]";
    }
  }

  /** One DBD round: its checkpoint, the window it trained on, and how many samples kept their labels. */
  public record Round(StoredCheckpoint checkpoint, int samples, int labelled, double seconds) {}

  private final Config config;
  private final TrainingListener listener;
  private final AvroSerde<Verdict> serde = AvroSerde.verdict();
  private final SampleWindow window;
  private final Map<TopicPartition, Long> resumeAfter = new HashMap<>();
  private final Map<TopicPartition, Long> positions = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
  private final AtomicBoolean stop = new AtomicBoolean();
  /** Both opened by the first {@link #run}, which resumes from the newest checkpoint. */
  private CheckpointStore store;
  private ModelPublisher publisher;
  private long version;
  private long skipped;

  public DbdBeneficiary(Config config, TrainingListener listener) {
    this.config = config;
    this.listener = listener;
    this.window = new SampleWindow(config.windowSize());
  }

  /** Resumes after the newest checkpoint's version and positions, if any; opens the publisher. */
  private void start() {
    store = new CheckpointStore(config.checkpointDir());
    store.latest(config.modelId()).ifPresent(latest -> {
      version = latest.meta().version();
      resumeAfter.putAll(latest.meta().positions());
      LOG.info("{}: resuming after checkpoint v{}: the window is rebuilt from the topics, new rounds count from {}",
          config.modelId(), version, latest.meta().offsets());
    });
    publisher = new ModelPublisher(config.bootstrapServers(), config.topics().cleanModels(),
        "sieve-dbd-publisher", config.clientOverrides(), config.signingKey());
  }

  /**
   * Consumes and trains until {@link #close()} or, with {@code idle} set, until the topics have
   * been quiet that long and caught up; then a last round if anything new arrived.
   */
  public List<Round> run(Duration idle) {
    if (publisher == null) {
      start();
    }
    List<Round> rounds = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(config.topics().credible(), config.topics().quarantine())) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
          throw new IllegalStateException("topic " + topic + " does not exist; start the filter (./sieve stream) first");
        }
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long fresh = 0;
      long quietSince = System.nanoTime();
      while (!stop.get()) {
        int polled = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          polled++;
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          Decision expected = record.topic().equals(config.topics().credible()) ? Decision.CREDIBLE
              : Decision.QUARANTINE;
          VerdictRecord decoded = VerdictRecord.decode(record, serde, config.architecture(), expected);
          if (decoded.skipped()) {
            skipped++;
            LOG.warn("{}: skipping {}", config.modelId(), decoded.skipReason());
            continue;
          }
          window.addAll(List.of(decoded.sample()));
          if (record.offset() >= resumeAfter.getOrDefault(tp, 0L)) {
            fresh++;
          }
        }
        // The next offset to read, markers included: what a checkpoint records and a restart compares with.
        for (TopicPartition tp : partitions) {
          positions.put(tp, consumer.position(tp));
        }
        if (polled > 0) {
          quietSince = System.nanoTime();
        }
        if (fresh >= config.roundEvery()) {
          round(fresh + " new samples").ifPresent(rounds::add);
          fresh = 0;
        }
        if (idle != null && !stop.get() && Duration.ofNanos(System.nanoTime() - quietSince).compareTo(idle) >= 0
            && caughtUp(consumer, partitions)) {
          if (fresh > 0) {
            round("topics quiet for " + idle.toSeconds() + " s").ifPresent(rounds::add);
          }
          LOG.info("{}: idle; {} round(s) this run, {} records skipped", config.modelId(), rounds.size(), skipped);
          break;
        }
      }
    }
    return rounds;
  }

  private boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, METADATA_TIMEOUT);
    return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
  }

  /**
   * Trains, writes and announces checkpoint v{@code version + 1}; empty when {@link #stop()} came
   * during the round, which is then abandoned between two batches with nothing written: the
   * samples are still in the log, and the restart's first round trains on them.
   */
  private Optional<Round> round(String why) {
    List<LabeledSample> samples = window.snapshot();
    long started = System.nanoTime();
    long next = version + 1;
    LOG.info("{}: DBD round v{} ({}) on a window of {} samples", config.modelId(), next, why, samples.size());
    try (Network network = Network.create(config.architecture(), config.seed() + next)) {
      DbdTrainer.Result result;
      try {
        result = DbdTrainer.train(network, samples, config.dbd(), config.seed() + next, new EpochListener() {
          @Override
          public void onEpoch(String stage, int epoch, int epochs, double meanLoss) {
            LOG.info("{}: v{} {} epoch {}/{}, loss {}", config.modelId(), next, stage, epoch, epochs,
                String.format("%.4f", meanLoss));
          }

          @Override
          public void afterBatch(String stage) {
            if (stop.get()) {
              throw new CancellationException("stopped during the " + stage + " stage");
            }
          }
        });
      } catch (CancellationException e) {
        LOG.info("{}: round v{} abandoned after {} s ({}); no checkpoint written", config.modelId(), next,
            String.format("%.0f", (System.nanoTime() - started) / 1e9), e.getMessage());
        return Optional.empty();
      }
      Map<String, Double> metrics = new TreeMap<>();
      metrics.put("window", (double) samples.size());
      metrics.put("labelled", (double) result.labelledCount());
      metrics.put("skipped", (double) skipped);
      metrics.put("simclrLoss", result.simclr().finalLoss());
      metrics.put("mixmatchLoss", result.mixmatch().finalLoss());
      CheckpointMeta meta = new CheckpointMeta(config.modelId(), next, config.architecture().id(), Instant.now(),
          metrics, CheckpointMeta.offsetsOf(positions));
      ModelPublisher.Published published = publisher.writeAndAnnounce(store, meta, network.parameters());
      StoredCheckpoint stored = published.checkpoint();
      version = next;
      double seconds = (System.nanoTime() - started) / 1e9;
      LOG.info("{}: checkpoint v{} at {} after {} s: {} of {} samples kept their labels; published on {}",
          config.modelId(), next, stored.path(), String.format("%.0f", seconds), result.labelledCount(),
          samples.size(), config.topics().cleanModels());
      listener.onCheckpoint(stored, published.version());
      return Optional.of(new Round(stored, samples.size(), result.labelledCount(), seconds));
    }
  }

  private Map<String, Object> consumerConfig() {
    return KafkaClients.of(config.bootstrapServers(), config.clientOverrides())
        .require(ConsumerConfig.CLIENT_ID_CONFIG, config.modelId() + "-" + UUID.randomUUID())
        .require(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000).reader().build();
  }

  /** Asks {@link #run} to stop after its current poll, or between two batches of a round, which is abandoned. */
  public void stop() {
    stop.set(true);
  }

  @Override
  public void close() {
    stop();
    if (publisher != null) {
      publisher.close();
    }
  }
}

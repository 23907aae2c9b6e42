package dev.sieve.trainer.replay;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.model.training.beneficiary.BeneficiaryStep;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.topology.ErrorClass;
import dev.sieve.stream.topology.QuarantineRouter;
import dev.sieve.stream.topology.SampleValidator;
import dev.sieve.stream.topology.Validation;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-scores a historical range of the samples topic with one published Victim, writes the
 * verdicts to the live outputs or to named replay outputs, and trains a fresh Beneficiary on
 * them.
 *
 * <p><b>Apart from the live pipeline.</b> The samples are read by a consumer with {@code assign()}
 * and no group id at all: it joins no group, commits nothing, and so cannot move the live filter's
 * offsets or trigger a rebalance of it. It reads committed records only, like the filter.
 *
 * <p><b>Deterministic.</b> Partitions are read one after the other, each in offset order, and
 * scored in batches of the configured size, so the same range and Victim give the same batches,
 * hence bit-identical entropies and the same verdicts (their {@code scoredAt} aside). The range's
 * end is fixed when the replay starts, so a growing stream does not change it.
 *
 * <p><b>The live rules.</b> Each record is validated by the filter's {@link SampleValidator}, a
 * duplicate id within the duplicate window of an earlier accepted copy in the same partition is
 * refused as the filter refuses it, and refused records go to dead-letter with the reason, so every
 * record in the range ends in exactly one output. Verdicts are made by
 * {@link QuarantineRouter#verdicts}, the filter's own scoring, with a Victim loaded by
 * {@link ModelTrust#load} (sha256, architecture and split checked). Each output keeps the sample's
 * key, timestamp and headers, plus {@link Headers#REPLAY}. A batch's verdicts and dead letters are
 * one Kafka transaction.
 *
 * <p>The Beneficiary trains with {@link BeneficiarySchedule} on the credible samples (labelled)
 * and the quarantined ones (unlabelled, Victim-suppressed), holding both in memory.
 */
public final class ReplayJob {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayJob.class);
  private static final Duration POLL = Duration.ofMillis(200);
  /** A partition that returns nothing for this long while its end is not reached is an error, not a wait. */
  private static final Duration STALL = Duration.ofSeconds(60);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private final ReplayConfig config;
  private final ReplayListener listener;
  private final AvroSerde<Verdict> verdicts = AvroSerde.verdict();
  private final AvroSerde<DeadLetter> deadLetters = AvroSerde.deadLetter();
  private final String runId = UUID.randomUUID().toString().substring(0, 8);

  private long records;
  private long credibleCount;
  private long quarantineCount;
  private long deadLetterCount;
  private final List<LabeledSample> credibleSamples = new ArrayList<>();
  private final List<LabeledSample> quarantinedSamples = new ArrayList<>();

  public ReplayJob(ReplayConfig config, ReplayListener listener) {
    this.config = config;
    this.listener = listener == null ? ReplayListener.NONE : listener;
  }

  /**
   * Runs the replay to its end.
   *
   * @throws IllegalArgumentException when the range names a partition the topic lacks
   * @throws IllegalStateException when there is no Victim to score with, the samples topic does not
   *     exist, or the cluster fails
   */
  public ReplaySummary run() {
    long started = System.nanoTime();
    TopicNames topics = config.topics();
    TopicNames outputs = config.outputs();
    try (Admin admin = Admin.create(adminConfig());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      int partitionCount = partitionCount(admin, topics.samples());
      ModelVersion version = chooseVictim(trusted(readModelVersions(consumer, topics.victimModels())),
          config.victimModelId(), config.victimVersion(), topics.victimModels());
      List<ReplayRange.Span> spans = config.range().resolve(topics.samples(), offsets(consumer, topics.samples(),
          partitionCount));
      VictimModel victim = load(version);
      try {
        // Only now, with a range and a Victim that work, is anything created on the cluster.
        if (config.into().equals(ReplayConfig.LIVE)) {
          TopicCatalog.ensureTopics(admin, topics, partitionCount);
        } else {
          TopicCatalog.ensureReplayTopics(admin, topics, config.into(), partitionCount);
        }
        long total = ReplayRange.total(spans);
        listener.onStart(version, config.range().describe(), spans, total);
        score(consumer, victim, spans, total);
        double scoringSeconds = (System.nanoTime() - started) / 1e9;
        listener.onScored(records, credibleCount, quarantineCount, deadLetterCount);
        long trainingStarted = System.nanoTime();
        Trained trained = train(victim, spans);
        double trainingSeconds = trained == null ? 0 : (System.nanoTime() - trainingStarted) / 1e9;
        return new ReplaySummary(config.into(), outputs.credible(), outputs.quarantine(), outputs.deadLetter(),
            config.range().describe(), spans, records, credibleCount, quarantineCount, deadLetterCount,
            version.getModelId(), version.getVersion(),
            trained == null ? null : trained.stored().path().toString(),
            trained == null ? null : trained.stored().sha256(),
            trained == null ? 0 : trained.stored().meta().version(),
            trained == null ? 0 : config.plan().mixEpochs(),
            trained == null ? 0 : config.plan().suppressionEpochs(),
            trained == null ? Double.NaN : trained.loss(),
            trained != null && trained.published(),
            trained == null ? notTrainedBecause() : null,
            scoringSeconds, trainingSeconds, (System.nanoTime() - started) / 1e9);
      } finally {
        victim.close();
      }
    }
  }

  // ---- the Victim ---------------------------------------------------------------------------

  /**
   * The Victim version to score with: {@code requested} when given, else the newest of {@code modelId}.
   *
   * @throws IllegalStateException when there is none, naming what the topic does hold
   */
  static ModelVersion chooseVictim(List<ModelVersion> published, String modelId, Long requested, String topic) {
    List<ModelVersion> ofModel = published.stream().filter(v -> v.getModelId().equals(modelId)).toList();
    String held = ofModel.isEmpty() ? "none" : String.join(", ",
        ofModel.stream().map(v -> "v" + v.getVersion()).distinct().toList());
    if (requested != null) {
      // The newest announcement of a version wins, as it does for the live filter.
      ModelVersion found = null;
      for (ModelVersion v : ofModel) {
        if (v.getVersion() == requested) {
          found = v;
        }
      }
      if (found == null) {
        throw new IllegalStateException("Victim " + modelId + " v" + requested + " is not on " + topic
            + " (versions there: " + held + "; the topic is compacted and keeps only the newest version of each model)");
      }
      return found;
    }
    ModelVersion newest = null;
    for (ModelVersion v : ofModel) {
      if (newest == null || v.getVersion() >= newest.getVersion()) {
        newest = v;
      }
    }
    if (newest == null) {
      throw new IllegalStateException("no Victim '" + modelId + "' on " + topic + ": replay scores with a published"
          + " Victim, and none was published yet (the Victim updater of 'sieve stream' publishes one once it has"
          + " warmed up)" + (published.isEmpty() ? "" : "; the topic holds models " + published.stream()
          .map(ModelVersion::getModelId).distinct().toList()));
    }
    return newest;
  }

  /**
   * The versions whose signature holds (all of them without a key): a forged version is left out
   * with a warning rather than chosen as the newest.
   */
  private List<ModelVersion> trusted(List<ModelVersion> published) {
    List<ModelVersion> out = new ArrayList<>();
    for (ModelVersion v : published) {
      Optional<String> refusal = config.trust().refusal(v, Optional.empty());
      if (refusal.isPresent()) {
        LOG.warn("ignoring {} v{} from {}: {}", v.getModelId(), v.getVersion(), v.getCheckpointUri(), refusal.get());
      } else {
        out.add(v);
      }
    }
    return out;
  }

  private VictimModel load(ModelVersion version) {
    try {
      return config.trust().load(version);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot load Victim " + version.getModelId() + " v" + version.getVersion()
          + " from " + version.getCheckpointUri() + ": " + e.getMessage(), e);
    }
  }

  /** Every ModelVersion on the (compacted) model topic, up to its end when asked. */
  private List<ModelVersion> readModelVersions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<TopicPartition> partitions = partitionsOf(consumer, topic);
    if (partitions.isEmpty()) {
      return List.of();
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    AvroSerde<ModelVersion> serde = AvroSerde.modelVersion();
    List<ModelVersion> out = new ArrayList<>();
    long deadline = System.nanoTime() + STALL.toNanos();
    while (!reached(consumer, end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not read " + topic + " to its end " + end + " within " + STALL);
      }
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
        if (record.value() == null) {
          continue;
        }
        try {
          out.add(serde.decode(record.value()));
        } catch (RuntimeException e) {
          LOG.warn("ignoring {}-{}@{}: not a ModelVersion: {}", record.topic(), record.partition(), record.offset(),
              e.getMessage());
        }
      }
    }
    consumer.unsubscribe();
    return out;
  }

  private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  // ---- the range ----------------------------------------------------------------------------

  private static int partitionCount(Admin admin, String topic) {
    try {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return description.partitions().size();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new IllegalStateException("topic " + topic + " does not exist: there is nothing to replay"
            + " (check --bootstrap-servers and --topic-prefix)", e.getCause());
      }
      throw new IllegalStateException("cannot describe " + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + topic, e);
    }
  }

  private static List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    var infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
    return infos == null ? List.of()
        : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).sorted(
            (a, b) -> Integer.compare(a.partition(), b.partition())).toList();
  }

  /** The partitions' offsets as the range needs them; end offsets are read_committed (the last stable offset). */
  private static ReplayRange.PartitionOffsets offsets(KafkaConsumer<byte[], byte[]> consumer, String topic, int count) {
    List<Integer> partitions = new ArrayList<>();
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      partitions.add(p);
      tps.add(new TopicPartition(topic, p));
    }
    Map<Integer, Long> beginning = byPartition(consumer.beginningOffsets(tps, METADATA_TIMEOUT));
    Map<Integer, Long> end = byPartition(consumer.endOffsets(tps, METADATA_TIMEOUT));
    return ReplayRange.offsets(List.copyOf(partitions), beginning, end, time -> {
      Map<TopicPartition, Long> query = new HashMap<>();
      tps.forEach(tp -> query.put(tp, time.toEpochMilli()));
      Map<Integer, Long> out = new TreeMap<>();
      consumer.offsetsForTimes(query, METADATA_TIMEOUT).forEach((tp, found) -> {
        if (found != null) {
          out.put(tp.partition(), found.offset());
        }
      });
      return out;
    });
  }

  private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
    Map<Integer, Long> out = new TreeMap<>();
    offsets.forEach((tp, offset) -> out.put(tp.partition(), offset));
    return out;
  }

  // ---- scoring ------------------------------------------------------------------------------

  /** A refused record and why. */
  private record Refused(ConsumerRecord<byte[], byte[]> record, Validation.Invalid invalid) {}

  /** Where and when (record time) an accepted id was first seen in this partition. */
  private record Accepted(String where, long timestamp) {}

  private void score(KafkaConsumer<byte[], byte[]> consumer, VictimModel victim, List<ReplayRange.Span> spans,
      long total) {
    SampleValidator validator = new SampleValidator(config.filter());
    int batchSize = config.filter().batchSize();
    long windowMs = config.filter().duplicateWindow().toMillis();
    long done = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      producer.initTransactions();
      for (ReplayRange.Span span : spans) {
        if (span.size() == 0) {
          continue;
        }
        TopicPartition tp = new TopicPartition(config.topics().samples(), span.partition());
        consumer.assign(List.of(tp));
        consumer.seek(tp, span.from());
        // The live filter keeps the ids it accepted per partition (a task's store); so does replay.
        Map<String, Accepted> accepted = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(batchSize);
        List<LabeledSample> samples = new ArrayList<>(batchSize);
        List<Refused> refused = new ArrayList<>();
        long lastPosition = span.from();
        long lastMoved = System.nanoTime();
        while (consumer.position(tp) < span.to()) {
          var polled = consumer.poll(POLL);
          for (ConsumerRecord<byte[], byte[]> record : polled.records(tp)) {
            if (record.offset() >= span.to()) {
              break;
            }
            records++;
            Validation validation = validate(validator, record);
            if (validation instanceof Validation.Valid valid) {
              LabeledSample sample = valid.sample();
              Accepted first = accepted.get(sample.getId());
              if (first != null && Math.abs(record.timestamp() - first.timestamp()) <= windowMs) {
                refused.add(new Refused(record, Validation.duplicate(sample.getId(), first.where(),
                    config.filter().duplicateWindow())));
              } else {
                accepted.put(sample.getId(), new Accepted(tp.topic() + "-" + tp.partition() + "@" + record.offset(),
                    record.timestamp()));
                batch.add(record);
                samples.add(sample);
              }
            } else if (validation instanceof Validation.Invalid invalid) {
              refused.add(new Refused(record, invalid));
            }
            if (samples.size() == batchSize) {
              write(producer, victim, batch, samples, refused);
            }
          }
          long position = Math.min(consumer.position(tp), span.to());
          if (position > lastPosition) {
            lastPosition = position;
            lastMoved = System.nanoTime();
          } else if (System.nanoTime() - lastMoved > STALL.toNanos()) {
            throw new IllegalStateException("no records from " + tp + " for " + STALL.toSeconds() + " s at offset "
                + position + ", before the replay's end " + span.to());
          }
          listener.onProgress(done + position - span.from(), total);
        }
        write(producer, victim, batch, samples, refused);
        done += span.size();
        if (lastPosition < span.to()) {
          listener.onProgress(done, total);
        }
      }
    }
    consumer.unsubscribe();
  }

  private static Validation validate(SampleValidator validator, ConsumerRecord<byte[], byte[]> record) {
    try {
      return validator.validate(record.key(), record.value());
    } catch (RuntimeException e) {
      // As in the filter: a validator bug refuses the record instead of stopping the replay.
      return Validation.invalid(ErrorClass.BAD_AVRO, "record could not be validated: " + e);
    }
  }

  /** Scores the batch and writes its verdicts and the refused records in one transaction, then clears them. */
  private void write(KafkaProducer<byte[], byte[]> producer, VictimModel victim, List<ConsumerRecord<byte[], byte[]>> batch,
      List<LabeledSample> samples, List<Refused> refused) {
    if (batch.isEmpty() && refused.isEmpty()) {
      return;
    }
    Instant now = Instant.now();
    List<Verdict> scored = samples.isEmpty() ? List.of() : QuarantineRouter.verdicts(victim, samples, now);
    TopicNames outputs = config.outputs();
    try {
      producer.beginTransaction();
      for (Refused r : refused) {
        ConsumerRecord<byte[], byte[]> record = r.record();
        DeadLetter letter = r.invalid().deadLetter(record.key(), record.value(), record.topic(), record.partition(),
            record.offset(), now);
        producer.send(output(outputs.deadLetter(), record, deadLetters.encode(letter)));
      }
      for (int i = 0; i < scored.size(); i++) {
        Verdict verdict = scored.get(i);
        String topic = verdict.getDecision() == Decision.QUARANTINE ? outputs.quarantine() : outputs.credible();
        producer.send(output(topic, batch.get(i), verdicts.encode(verdict)));
      }
      producer.commitTransaction();
    } catch (KafkaException e) {
      abortQuietly(producer);
      throw new IllegalStateException("cannot write replayed verdicts to " + outputs.credible() + ", "
          + outputs.quarantine() + " and " + outputs.deadLetter() + ": " + e.getMessage(), e);
    }
    deadLetterCount += refused.size();
    for (Verdict verdict : scored) {
      if (verdict.getDecision() == Decision.QUARANTINE) {
        quarantineCount++;
        if (config.train()) {
          quarantinedSamples.add(verdict.getSample());
        }
      } else {
        credibleCount++;
        if (config.train()) {
          credibleSamples.add(verdict.getSample());
        }
      }
    }
    batch.clear();
    samples.clear();
    refused.clear();
  }

  /** The output record: the input's key, timestamp and headers, marked as replayed. */
  private ProducerRecord<byte[], byte[]> output(String topic, ConsumerRecord<byte[], byte[]> input, byte[] value) {
    RecordHeaders headers = new RecordHeaders(input.headers().toArray());
    headers.remove(Headers.REPLAY);
    headers.add(Headers.REPLAY, config.into().getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(topic, null, input.timestamp(), input.key(), value, headers);
  }

  private static void abortQuietly(KafkaProducer<byte[], byte[]> producer) {
    try {
      producer.abortTransaction();
    } catch (RuntimeException e) {
      LOG.warn("aborting the replay's transaction failed too: {}", e.toString());
    }
  }

  // ---- the Beneficiary ----------------------------------------------------------------------

  private record Trained(StoredCheckpoint stored, double loss, boolean published) {}

  private String notTrainedBecause() {
    return !config.train() ? "--no-train" : "no credible sample in the range";
  }

  /** Trains and checkpoints a fresh Beneficiary; null with --no-train or without credible samples. */
  private Trained train(VictimModel victim, List<ReplayRange.Span> spans) {
    if (!config.train() || credibleSamples.isEmpty()) {
      if (config.train()) {
        LOG.warn("no credible sample in the range: no Beneficiary is trained");
      }
      return null;
    }
    BeneficiarySchedule.Plan plan = config.plan();
    int epochs = plan.mixEpochs() + plan.suppressionEpochs();
    Architecture architecture = victim.network().architecture();
    double[] lastLoss = {Double.NaN};
    CheckpointStore store = new CheckpointStore(config.checkpointDir());
    long version = store.latest(config.beneficiaryModelId()).map(c -> c.meta().version() + 1).orElse(1L);
    try (Network network = Network.create(architecture, config.seed());
        BeneficiaryStep step = new BeneficiaryStep(network, config.recipe(), config.seed())) {
      BeneficiarySchedule.train(step, credibleSamples, quarantinedSamples, victim.network(), plan, config.seed(),
          (epoch, phase, meanLoss, samples) -> {
            lastLoss[0] = meanLoss;
            listener.onEpoch(epoch, epochs, phase, meanLoss, samples);
          });
      Map<String, Double> metrics = new TreeMap<>();
      metrics.put("steps", (double) step.steps());
      metrics.put("credible", (double) credibleSamples.size());
      metrics.put("quarantine", (double) quarantinedSamples.size());
      metrics.put("deadLetters", (double) deadLetterCount);
      metrics.put("mixEpochs", (double) plan.mixEpochs());
      metrics.put("suppressionEpochs", (double) plan.suppressionEpochs());
      metrics.put("victimVersion", (double) victim.version());
      metrics.put("attentionMix", config.recipe().attentionMix() ? 1.0 : 0.0);
      metrics.put("seed", (double) config.seed());
      if (Double.isFinite(lastLoss[0])) {
        metrics.put("loss", lastLoss[0]);
      }
      // The replayed range's end, so the checkpoint says which history it learnt from.
      Map<String, Long> offsets = new TreeMap<>();
      spans.forEach(s -> offsets.put(CheckpointMeta.offsetKey(config.topics().samples(), s.partition()), s.to()));
      CheckpointMeta meta = new CheckpointMeta(config.beneficiaryModelId(), version, architecture.id(), Instant.now(),
          metrics, offsets);
      StoredCheckpoint stored = store.write(meta, network.parameters());
      LOG.info("replay Beneficiary {} v{} written to {}", meta.modelId(), version, stored.path());
      if (config.publish()) {
        try (ModelPublisher publisher = new ModelPublisher(config.bootstrapServers(), config.topics().cleanModels(),
            "sieve-replay-publisher-" + runId, config.clientOverrides(), config.trust().signingKey())) {
          publisher.announce(stored);
        }
      }
      return new Trained(stored, lastLoss[0], config.publish());
    }
  }

  // ---- clients ------------------------------------------------------------------------------

  private Map<String, Object> adminConfig() {
    return KafkaClients.of(config.bootstrapServers(), config.clientOverrides()).clientId("sieve-replay-admin-" + runId)
        .build();
  }

  /**
   * The client settings come first and these last: whatever a shared client config file says,
   * replay joins no group (no group.id, so it can neither commit nor rebalance the live app),
   * reads committed records only, and fails rather than skips when its offsets are gone.
   */
  Map<String, Object> consumerConfig() {
    return KafkaClients.of(config.bootstrapServers(), config.clientOverrides()).require(ConsumerConfig.CLIENT_ID_CONFIG,
        "sieve-replay-" + runId).require(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none").reader().build();
  }

  private Map<String, Object> producerConfig() {
    return KafkaClients.of(config.bootstrapServers(), config.clientOverrides())
        .require(ProducerConfig.CLIENT_ID_CONFIG, "sieve-replay-" + runId)
        .require(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sieve-replay-" + runId)
        .require(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .require(ProducerConfig.ACKS_CONFIG, "all")
        .require(ProducerConfig.LINGER_MS_CONFIG, 5)
        .build();
  }
}

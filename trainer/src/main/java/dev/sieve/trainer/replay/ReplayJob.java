package dev.sieve.trainer.replay;

import dev.sieve.model.scoring.VictimModel;
import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.stream.topology.QuarantineRouter;
import dev.sieve.stream.topology.SampleValidator;
import dev.sieve.wire.Headers;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;

/**
 * Re-scores a historical range of the samples topic with one published Victim, writes the
 * verdicts to the live outputs or to named replay outputs, and trains a fresh Beneficiary on
 * them.
 *
 * <p><b>Apart from the live pipeline.</b> The samples are read by a {@link TopicReader}, whose
 * consumer joins no group and commits nothing, so it cannot move the live filter's offsets or
 * trigger a rebalance of it. It reads committed records only, like the filter.
 *
 * <p><b>Deterministic.</b> Partitions are read one after the other, each in offset order, and
 * scored in batches of the configured size, so the same range and Victim give the same batches,
 * hence bit-identical entropies and the same verdicts (their {@code scoredAt} aside). The range's
 * end is fixed when the replay starts, so a growing stream does not change it.
 *
 * <p><b>The live rules.</b> The {@link VictimChooser} loads a Victim with {@link ModelTrust#load}
 * (sha256, architecture and split checked). The {@link Rescorer} validates each record with the
 * filter's {@link SampleValidator}, refuses duplicate ids as the filter does, and scores with
 * {@link QuarantineRouter#verdicts}, the filter's own scoring, so every record in the range ends in
 * exactly one output. {@link ReplayOutputs} writes a batch's verdicts and dead letters as one Kafka
 * transaction, each keeping the sample's key, timestamp and headers, plus {@link Headers#REPLAY}.
 *
 * <p>The {@link ReplayBeneficiary} then trains with {@link BeneficiarySchedule} on the credible
 * samples (labelled) and the quarantined ones (unlabelled, Victim-suppressed).
 */
public final class ReplayJob {

  private final ReplayConfig config;
  private final ReplayListener listener;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);

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
    VictimChooser victims = new VictimChooser(config);
    try (Admin admin = Admin.create(adminConfig()); TopicReader reader = new TopicReader(config, runId)) {
      int partitionCount = TopicReader.partitionCount(admin, topics.samples());
      ModelVersion version = victims.chooseFrom(reader);
      List<ReplayRange.Span> spans = config.range().resolve(topics.samples(), reader.offsets(topics.samples(),
          partitionCount));
      VictimModel victim = victims.load(version);
      try {
        // Only now, with a range and a Victim that work, is anything created on the cluster.
        if (config.into().equals(ReplayConfig.LIVE)) {
          TopicCatalog.ensureTopics(admin, topics, partitionCount);
        } else {
          TopicCatalog.ensureReplayTopics(admin, topics, config.into(), partitionCount);
        }
        long total = ReplayRange.total(spans);
        listener.onStart(version, config.range().describe(), spans, total);
        Rescorer.Rescored rescored = rescore(reader, victim, spans, total);
        double scoringSeconds = (System.nanoTime() - started) / 1e9;
        listener.onScored(rescored.records(), rescored.credible(), rescored.quarantine(), rescored.deadLetters());
        long trainingStarted = System.nanoTime();
        ReplayBeneficiary beneficiary = new ReplayBeneficiary(config, listener, runId);
        ReplayBeneficiary.Trained trained = beneficiary.train(victim, spans, rescored);
        double trainingSeconds = trained == null ? 0 : (System.nanoTime() - trainingStarted) / 1e9;
        return new ReplaySummary(config.into(), outputs.credible(), outputs.quarantine(), outputs.deadLetter(),
            config.range().describe(), spans, rescored.records(), rescored.credible(), rescored.quarantine(),
            rescored.deadLetters(), version.getModelId(), version.getVersion(),
            trained == null ? null : trained.stored().path().toString(),
            trained == null ? null : trained.stored().sha256(),
            trained == null ? 0 : trained.stored().meta().version(),
            trained == null ? 0 : config.plan().mixEpochs(),
            trained == null ? 0 : config.plan().suppressionEpochs(),
            trained == null ? Double.NaN : trained.loss(),
            trained != null && trained.published(),
            trained == null ? beneficiary.notTrainedBecause(rescored) : null,
            scoringSeconds, trainingSeconds, (System.nanoTime() - started) / 1e9);
      } finally {
        victim.close();
      }
    }
  }

  /** Reads the spans and writes every record's outcome, one transaction per batch. */
  private Rescorer.Rescored rescore(TopicReader reader, VictimModel victim, List<ReplayRange.Span> spans, long total) {
    try (ReplayOutputs writer = new ReplayOutputs(config, runId)) {
      Rescorer rescorer = new Rescorer(config, victim, writer);
      reader.read(config.topics().samples(), spans, total, listener, rescorer);
      return rescorer.rescored();
    }
  }

  private Map<String, Object> adminConfig() {
    return KafkaClients.of(config.bootstrapServers(), config.clientOverrides()).clientId("sieve-replay-admin-" + runId)
        .build();
  }
}

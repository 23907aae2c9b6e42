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
import dev.sieve.schemas.ModelVersion;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a fresh Beneficiary on a replay's verdicts with {@link BeneficiarySchedule}: the credible
 * samples (labelled) and the quarantined ones (unlabelled, Victim-suppressed), held in memory.
 * Writes its checkpoint and, with {@code --publish}, announces it on clean-models.
 */
final class ReplayBeneficiary {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayBeneficiary.class);

  /** The Beneficiary's checkpoint, its last epoch's mean loss, and whether it was announced. */
  record Trained(StoredCheckpoint stored, double loss, boolean published) {}

  private final ReplayConfig config;
  private final ReplayListener listener;
  private final String runId;

  ReplayBeneficiary(ReplayConfig config, ReplayListener listener, String runId) {
    this.config = config;
    this.listener = listener;
    this.runId = runId;
  }

  /** Why {@link #train} trains nothing for these verdicts, or null when it trains. */
  String notTrainedBecause(Rescorer.Rescored rescored) {
    if (!config.train()) {
      return "--no-train";
    }
    return rescored.credibleSamples().isEmpty() ? "no credible sample in the range" : null;
  }

  /** Trains and checkpoints a fresh Beneficiary; null with --no-train or without credible samples. */
  Trained train(VictimModel victim, List<ReplayRange.Span> spans, Rescorer.Rescored rescored) {
    String notTrainedBecause = notTrainedBecause(rescored);
    if (notTrainedBecause != null) {
      if (config.train()) {
        LOG.warn("{}: no Beneficiary is trained", notTrainedBecause);
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
      BeneficiarySchedule.train(step, rescored.credibleSamples(), rescored.quarantinedSamples(), victim.network(), plan,
          config.seed(), (epoch, phase, meanLoss, samples) -> {
            lastLoss[0] = meanLoss;
            listener.onEpoch(epoch, epochs, phase, meanLoss, samples);
          });
      Map<String, Double> metrics = new TreeMap<>();
      metrics.put("steps", (double) step.steps());
      metrics.put("credible", (double) rescored.credibleSamples().size());
      metrics.put("quarantine", (double) rescored.quarantinedSamples().size());
      metrics.put("deadLetters", (double) rescored.deadLetters());
      metrics.put("mixEpochs", (double) plan.mixEpochs());
      metrics.put("suppressionEpochs", (double) plan.suppressionEpochs());
      metrics.put("victimVersion", (double) victim.version());
      metrics.put("attentionMix", config.recipe().attentionMix() ? 1.0 : 0.0);
      metrics.put("occlude", config.recipe().occlude() ? 1.0 : 0.0);
      metrics.put("seed", (double) config.seed());
      if (Double.isFinite(lastLoss[0])) {
        metrics.put("loss", lastLoss[0]);
      }
      // The replayed range's end, so the checkpoint says which history it learnt from.
      Map<String, Long> offsets = new TreeMap<>();
      spans.forEach(s -> offsets.put(CheckpointMeta.offsetKey(config.topics().samples(), s.partition()), s.to()));
      CheckpointMeta meta = new CheckpointMeta(config.beneficiaryModelId(), version, architecture.id(), Instant.now(),
          metrics, offsets);
      StoredCheckpoint stored = config.publish() ? publish(store, meta, network.parameters())
          : store.write(meta, network.parameters());
      LOG.info("replay Beneficiary {} v{} written to {}", meta.modelId(), version, stored.path());
      return new Trained(stored, lastLoss[0], config.publish());
    }
  }

  /** Writes the checkpoint and announces it on clean-models. */
  private StoredCheckpoint publish(CheckpointStore store, CheckpointMeta meta, byte[] parameters) {
    try (ModelPublisher publisher = new ModelPublisher(config.bootstrapServers(), config.topics().cleanModels(),
        "sieve-replay-publisher-" + runId, config.clientOverrides(), config.trust().signingKey())) {
      ModelVersion announced = publisher.publish(store, meta, parameters);
      // The announcement names the file the store wrote, by URI, and its sha256.
      return new StoredCheckpoint(Path.of(URI.create(announced.getCheckpointUri())), announced.getSha256(), meta);
    }
  }
}

package dev.sieve.trainer;

import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.schemas.ModelVersion;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Beneficiary's checkpoints. Each holds the weights, the learner's counters and the offset
 * after the last record consumed in each partition of credible, quarantine and retractions (the
 * retractions it includes are those before its retractions positions; {@code retractionsApplied}
 * counts them), and is announced
 * on clean-models as a {@link ModelVersion}. A start resumes from the newest: the weights, the
 * counters and the offsets, so that no record is trained on twice and none is skipped across a
 * restart. (The replay window, the unlabelled pool and the optimizer state are not checkpointed:
 * they refill from new records, Adam's moments re-estimate within a few steps. The newest Victim
 * is read again from its compacted topic.)
 *
 * <p>The offsets are the record after the last one consumed. On a topic written transactionally
 * that is the transaction's commit marker, which the consumer skips on resume; so a caught-up
 * trainer's checkpoint may lag the log end by the markers, never by a record.
 *
 * <p>{@link #resume} runs before the first run; the rest on the training thread, except the
 * getters, which any thread may call.
 */
final class BeneficiaryCheckpointer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BeneficiaryCheckpointer.class);

  private final BeneficiaryConfig config;
  private final TrainingCounters counters;
  private final TrainingListener listener;
  /** Next offset to read per partition of credible and quarantine: after the last record consumed. */
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  /** Both opened by {@link #resume}. */
  private CheckpointStore store;
  private ModelPublisher publisher;
  private volatile long version;
  private volatile StoredCheckpoint last;
  private long stepsAtLast;
  /** Whether anything happened that the last checkpoint does not hold. */
  private boolean changed;

  BeneficiaryCheckpointer(BeneficiaryConfig config, TrainingCounters counters, TrainingListener listener) {
    this.config = config;
    this.counters = counters;
    this.listener = listener;
  }

  /**
   * Opens the checkpoint directory and the clean-models publisher, and returns a learner resumed
   * from the newest checkpoint of {@code config.modelId()} (its weights, counters and positions),
   * or on a fresh network if there is none.
   */
  ReplayLearner resume() {
    store = new CheckpointStore(config.checkpointDir());
    // A resume that failed further down may be tried again; close() releases the one publisher.
    if (publisher == null) {
      publisher = new ModelPublisher(config.bootstrapServers(), config.topics().cleanModels(),
          config.groupId() + "-models", config.clientOverrides(), config.modelTrust().signingKey());
    }
    Optional<StoredCheckpoint> latest = store.latest(config.modelId());
    Map<String, Double> metrics = Map.of();
    Network network;
    if (latest.isPresent()) {
      Checkpoint checkpoint = store.read(latest.get());
      CheckpointMeta meta = checkpoint.meta();
      if (!meta.architecture().equals(config.architecture().id())) {
        // Resuming would go on training another model under this one's name.
        throw new IllegalStateException(config.modelId() + ": checkpoint " + latest.get().path() + " is of architecture "
            + meta.architecture() + ", but this trainer's is " + config.architecture().id()
            + ": give each architecture its own checkpoint directory");
      }
      network = Network.fromParameters(config.architecture(), checkpoint.parameters());
      version = meta.version();
      last = latest.get();
      metrics = meta.metrics();
      positions.putAll(positionsIn(meta, Set.of(config.topics().credible(), config.topics().quarantine(),
          config.topics().retractions())));
      LOG.info("{}: resuming from checkpoint v{} ({}): {} steps, {} samples seen, {} unlabelled, {} re-checked out,"
              + " offsets {}", config.modelId(), version, last.path(), count(metrics, "steps"),
          count(metrics, "samplesSeen"), count(metrics, "unlabelledSeen"), count(metrics, "recheckedOut"), positions);
    } else {
      network = Network.create(config.architecture(), config.seed());
      LOG.info("{}: no checkpoint in {}: starting a fresh {} network (seed {})",
          config.modelId(), store.dir(), config.architecture().id(), config.seed());
    }
    ReplayLearner learner;
    try {
      learner = new ReplayLearner(network, config.stepSettings(), config.replayRatio(), config.windowSize(),
          config.unlabelledWeight(), config.seed() + version, count(metrics, "steps"), count(metrics, "samplesSeen"),
          metrics.getOrDefault("loss", Double.NaN));
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
    stepsAtLast = learner.steps();
    counters.resumed(count(metrics, "unlabelledSeen"), count(metrics, "recheckedOut"),
        count(metrics, "retractionsApplied"), count(metrics, "unlearned"));
    return learner;
  }

  /** The last checkpoint's version, written or resumed from; 0 before the first. */
  long version() {
    return version;
  }

  Optional<StoredCheckpoint> last() {
    return Optional.ofNullable(last);
  }

  Map<TopicPartition, Long> positions() {
    return Map.copyOf(positions);
  }

  /** The records of {@code batch} are trained on: the next checkpoint starts after them. */
  void consumed(List<VerdictRecord> batch) {
    for (VerdictRecord record : batch) {
      positions.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
    }
    changed = true;
  }

  /** The model changed in a way the last checkpoint does not hold. */
  void changed() {
    changed = true;
  }

  /** Whether {@code checkpointEverySteps} steps have been made since the last checkpoint. */
  boolean due(ReplayLearner learner) {
    return learner.steps() - stepsAtLast >= config.checkpointEverySteps();
  }

  void writeIfChanged(String why, ReplayLearner learner) {
    if (changed) {
      write(why, learner);
    } else {
      LOG.info("{}: nothing new since checkpoint v{}, no checkpoint written", config.modelId(), version);
    }
  }

  /** Writes the next version and announces it on clean-models. */
  void write(String why, ReplayLearner learner) {
    long next = version + 1;
    Map<String, Double> metrics = new TreeMap<>();
    metrics.put("steps", (double) learner.steps());
    metrics.put("samplesSeen", (double) learner.samplesSeen());
    metrics.put("windowSize", (double) learner.windowSize());
    metrics.put("unlabelledSeen", (double) counters.unlabelledSeen());
    metrics.put("unlabelledPool", (double) learner.unlabelledSize());
    metrics.put("recheckedOut", (double) counters.recheckedOut());
    // Which retractions this checkpoint includes: their count here, their topic's positions in the offsets.
    metrics.put("retractionsApplied", (double) counters.retractionsApplied());
    metrics.put("unlearned", (double) counters.unlearned());
    metrics.put("victimVersion", (double) counters.victimVersion());
    metrics.put("unlabelledWeight", config.unlabelledWeight());
    metrics.put("attentionMix", config.recipe().attentionMix() ? 1.0 : 0.0);
    metrics.put("occlude", config.recipe().occlude() ? 1.0 : 0.0);
    double loss = learner.recentLoss();
    if (Double.isFinite(loss)) {
      metrics.put("loss", loss);
    }
    Map<String, Long> offsets = CheckpointMeta.offsetsOf(positions);
    Network network = learner.network();
    CheckpointMeta meta = new CheckpointMeta(config.modelId(), next, network.architecture().id(), Instant.now(),
        metrics, offsets);
    ModelPublisher.Published published = publisher.writeAndAnnounce(store, meta, network.parameters());
    version = next;
    last = published.checkpoint();
    stepsAtLast = learner.steps();
    changed = false;
    LOG.info("{}: checkpoint v{} ({}) at {}: {} steps, {} samples seen, {} unlabelled, {} re-checked out, loss {},"
            + " offsets {}; published on {}", config.modelId(), next, why, last.path(), learner.steps(),
        learner.samplesSeen(), counters.unlabelledSeen(), counters.recheckedOut(), String.format("%.4f", loss),
        offsets, config.topics().cleanModels());
    listener.onCheckpoint(last, published.version());
  }

  @Override
  public void close() {
    if (publisher != null) {
      publisher.close();
    }
  }

  private static long count(Map<String, Double> metrics, String name) {
    return Math.round(metrics.getOrDefault(name, 0.0));
  }

  /**
   * The checkpoint's positions in {@code topics}; those of other topics (another prefix) are
   * ignored. A checkpoint written before the quarantine topic was read has none of it, and the
   * consumer starts that topic at its earliest record.
   */
  private static Map<TopicPartition, Long> positionsIn(CheckpointMeta meta, Set<String> topics) {
    Map<TopicPartition, Long> out = new HashMap<>();
    meta.positions().forEach((tp, offset) -> {
      if (topics.contains(tp.topic())) {
        out.put(tp, offset);
      } else {
        LOG.warn("{}: ignoring checkpoint offset '{}'={}: not of one of {}", meta.modelId(),
            CheckpointMeta.offsetKey(tp.topic(), tp.partition()), offset, topics);
      }
    });
    return out;
  }
}

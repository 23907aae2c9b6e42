package dev.sieve.trainer.detox;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.defense.detox.CleanSet;
import dev.sieve.model.defense.detox.DetoxCheckpoints;
import dev.sieve.model.defense.detox.DetoxMethod;
import dev.sieve.model.defense.detox.DetoxResult;
import dev.sieve.model.defense.detox.DetoxSettings;
import dev.sieve.model.defense.detox.SampleReservoir;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.trainer.TrainingListener;
import dev.sieve.trainer.TrainingProgress;
import dev.sieve.trainer.VerdictRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./sieve train --detox d3}: detoxifies every Beneficiary checkpoint as soon as it is
 * written, into checkpoint {@code <model>-<method>} of the same version, announced on
 * clean-models. The clean set is a random {@code cleanShare} of the credible samples the trainer
 * has consumed so far, kept in a bounded reservoir as they pass.
 *
 * <p>It runs on the training thread, inside the checkpoint, so training pauses meanwhile: about a
 * second for D3, tens of seconds for the pruning methods. A failed detox is logged and the
 * trainer goes on: the plain checkpoint is already written and announced.
 */
public final class CheckpointDetoxer implements TrainingListener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointDetoxer.class);
  /** Enough for 5 % of 60,000 credible samples; bounds memory on a long-running trainer. */
  public static final int DEFAULT_MAX_CLEAN = 3_000;

  private final DetoxMethod method;
  private final DetoxSettings settings;
  private final double cleanShare;
  private final CheckpointStore store;
  private final ModelPublisher publisher;
  private final SampleReservoir credible;
  private final long seed;
  private StoredCheckpoint last;

  /**
   * @param publisher announces each detoxified checkpoint; null to write without announcing
   */
  public CheckpointDetoxer(DetoxMethod method, DetoxSettings settings, double cleanShare, int maxClean, Path outDir,
      ModelPublisher publisher, long seed) {
    if (!(cleanShare > 0 && cleanShare < 1)) {
      throw new IllegalArgumentException("detox clean share is " + cleanShare + ", expected in (0, 1)");
    }
    this.method = method;
    this.settings = settings;
    this.cleanShare = cleanShare;
    this.store = new CheckpointStore(outDir);
    this.publisher = publisher;
    this.credible = new SampleReservoir(maxClean, seed);
    this.seed = seed;
  }

  @Override
  public void onBatch(List<VerdictRecord> batch, TrainingProgress progress) {
    for (VerdictRecord r : batch) {
      if (!r.skipped() && !r.quarantined()) {
        credible.offer(r.sample());
      }
    }
  }

  @Override
  public void onCheckpoint(StoredCheckpoint checkpoint, ModelVersion published) {
    List<LabeledSample> clean = draw();
    if (clean.size() < 10) {
      LOG.warn("{} not run on {} v{}: only {} credible samples seen so far", method.id(), checkpoint.meta().modelId(),
          checkpoint.meta().version(), credible.seen());
      return;
    }
    try {
      CleanSet set = CleanSet.split(clean, CleanSet.DEFAULT_HOLDOUT_SHARE, seed + checkpoint.meta().version());
      Architecture architecture = Architecture.byId(checkpoint.meta().architecture());
      try (Network network = Network.fromParameters(architecture,
          CheckpointStore.read(checkpoint.path().toString(), checkpoint.sha256()).parameters())) {
        DetoxResult result = method.apply(network, set, settings, seed, m -> LOG.debug("{}: {}", method.id(), m));
        try (Network detoxed = result.network()) {
          last = DetoxCheckpoints.write(store, checkpoint.meta(), result, set.size(), Optional.ofNullable(publisher));
        }
        LOG.info("{}: {} v{} in {} s with {} credible samples: {}", method.id(), last.meta().modelId(),
            last.meta().version(), String.format("%.1f", result.seconds()), set.size(), result.report());
      }
    } catch (RuntimeException e) {
      LOG.error("{} failed on {} v{}; the plain checkpoint stands: {}", method.id(), checkpoint.meta().modelId(),
          checkpoint.meta().version(), e.toString(), e);
    }
  }

  /** The last detoxified checkpoint written, or null. */
  public StoredCheckpoint lastDetoxified() {
    return last;
  }

  private List<LabeledSample> draw() {
    List<LabeledSample> pool = new ArrayList<>(credible.samples());
    int n = (int) Math.min(pool.size(), Math.round(credible.seen() * cleanShare));
    Collections.shuffle(pool, new Random(seed));
    return pool.subList(0, n);
  }

  @Override
  public void close() {
    if (publisher != null) {
      publisher.close();
    }
  }
}

package dev.sieve.cli;

import dev.sieve.model.defense.detox.DetoxMethod;
import dev.sieve.model.defense.detox.DetoxSettings;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.ops.Health;
import dev.sieve.ops.Meters;
import dev.sieve.ops.MetricsServer;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.trainer.BeneficiaryTrainer;
import dev.sieve.trainer.DbdBeneficiary;
import dev.sieve.trainer.TrainerMetrics;
import dev.sieve.trainer.TrainingListener;
import dev.sieve.trainer.TrainingSummary;
import dev.sieve.trainer.detox.CheckpointDetoxer;
import dev.sieve.wire.DatasetDescriptor;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = {
        "Run the Beneficiary trainer: consume <prefix>credible (labelled) and <prefix>quarantine (unlabelled)",
        "with backpressure and train the clean model with V&B's recipe: AttentionMix, targets suppressed by the",
        "newest Victim from <prefix>victim-models, and an unlabelled loss on the quarantined samples. Each new",
        "Victim version re-checks the replay window and moves what it now finds suspect to the unlabelled pool.",
        "Retractions on <prefix>retractions drop their samples, and those still in the window are unlearnt",
        "(clipped gradient ascent interleaved with ordinary steps); malformed ones are refused and counted.",
        "Checkpoints are atomic and sha256-checked (with the consumed offsets inside), each published as a",
        "ModelVersion on <prefix>clean-models. A restart resumes from the last complete checkpoint.",
        "--mode dbd trains with DBD instead; --detox METHOD detoxifies every checkpoint as it is written."})
final class TrainCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;

  @Option(names = "--checkpoint-dir", defaultValue = ".sieve/checkpoints/beneficiary",
      description = "Where checkpoints are written and resumed from (default: ${DEFAULT-VALUE}).")
  Path checkpointDir;

  @Option(names = "--batch-size", defaultValue = "128", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--replay-ratio", defaultValue = "1",
      description = "Extra steps per new batch, drawn from a window of recent credible samples (default: ${DEFAULT-VALUE}).")
  int replayRatio;

  @Mixin RecipeOptions recipe;
  @Mixin MetricsOptions metrics;
  @Mixin ModelTrustOptions trust;
  @Mixin DatasetOptions dataset;
  @Mixin ArchitectureOptions architecture;
  @Mixin DeviceOptions device;

  @Option(names = "--victim-checkpoint-dir", defaultValue = ".sieve/checkpoints/victim", paramLabel = "DIR",
      description = "Where the filter writes Victim checkpoints (its --checkpoint-dir); published Victim versions "
          + "whose checkpoint lies elsewhere are refused (default: ${DEFAULT-VALUE}).")
  Path victimCheckpointDir;

  static final int DEFAULT_METRICS_PORT = 9401;

  @Option(names = "--unlabelled-weight", defaultValue = "0.5", paramLabel = "LAMBDA",
      description = "Weight of the loss on quarantined (unlabelled) samples; 0 trains on credible samples only"
          + " (default: ${DEFAULT-VALUE}).")
  double unlabelledWeight;

  @Option(names = "--checkpoint-every", defaultValue = "200", paramLabel = "STEPS",
      description = "Write and publish a checkpoint every this many steps (default: ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--until-idle-s", paramLabel = "S",
      description = "Stop once credible has been quiet this long (then --final-epochs and a last checkpoint). "
          + "Without it, train until interrupted.")
  Long untilIdleSeconds;

  @Option(names = "--final-epochs", defaultValue = "0",
      description = "With --until-idle-s: extra epochs over the window before the last checkpoint (default: ${DEFAULT-VALUE}).")
  int finalEpochs;

  @Option(names = "--mode", defaultValue = "vab", paramLabel = "MODE",
      description = "vab (default): V&B's Beneficiary on the filter's verdicts. dbd: DBD (SimCLR, a symmetric-CE"
          + " linear head, MixMatch on the low-loss half) on credible and quarantined samples alike, retrained on the"
          + " window every --dbd-round-every new samples; checkpoints as <model>-dbd.")
  String mode;

  @Option(names = "--dbd-round-every", defaultValue = "20000", paramLabel = "N",
      description = "With --mode dbd: a DBD round after this many new samples (default: ${DEFAULT-VALUE}).")
  int dbdRoundEvery;

  @Option(names = "--dbd-window", defaultValue = "60000", paramLabel = "N",
      description = "With --mode dbd: the newest N samples a round trains on (default: ${DEFAULT-VALUE}).")
  int dbdWindow;

  @Mixin DbdOptions dbd;

  @Option(names = "--detox", paramLabel = "METHOD",
      description = "Detoxify every checkpoint as it is written (fine-pruning, linf-pruning or d3) into"
          + " <model>-<method> of the same version, announced on clean-models. Training pauses meanwhile.")
  String detox;

  @Option(names = "--detox-clean-share", defaultValue = "0.05", paramLabel = "SHARE",
      description = "With --detox: the clean set, as a share of the credible samples seen (default: ${DEFAULT-VALUE}).")
  double detoxCleanShare;

  @Option(names = "--detox-dir", defaultValue = ".sieve/checkpoints/detox", paramLabel = "DIR",
      description = "With --detox: where detoxified checkpoints go (default: ${DEFAULT-VALUE}).")
  Path detoxDir;

  @Override
  public Integer call() {
    device.use("train", System.err);
    try (OrderlyShutdown shutdown = OrderlyShutdown.install("train")) {
      return train(shutdown);
    }
  }

  /**
   * The trainer runs on this thread and its training thread; a signal only asks it to stop, and
   * the try-with-resources blocks close it here, after the run has returned: the training thread
   * is joined before the network, the Victim and the NDManagers are freed.
   */
  private int train(OrderlyShutdown shutdown) {
    // Refused before any connection when the checkpoint directory holds another data set's checkpoints.
    Path checkpoints = "dbd".equals(mode) ? checkpointDir.resolveSibling(checkpointDir.getFileName() + "-dbd")
        : checkpointDir;
    DatasetDescriptor shape = dataset.checkAgainst(checkpoints);
    architecture.checkAgainst(checkpoints, "dbd".equals(mode) ? DbdBeneficiary.DEFAULT_MODEL_ID
        : BeneficiaryConfig.DEFAULT_MODEL_ID, shape);
    String bootstrap = cluster.bootstrap();
    cluster.ensureTopics(bootstrap, cluster.topics());
    dataset.recordIn(checkpoints);
    try (CheckpointDetoxer detoxer = detox == null ? null : new CheckpointDetoxer(DetoxMethod.byId(detox),
        DetoxSettings.defaults(), detoxCleanShare, CheckpointDetoxer.DEFAULT_MAX_CLEAN, detoxDir,
        new ModelPublisher(bootstrap, cluster.topics().cleanModels(), "sieve-detox", cluster.clientOverrides(),
            trust.signingKey()), 42L)) {
      switch (mode) {
        case "vab" -> trainVab(bootstrap, detoxer, shutdown);
        case "dbd" -> trainDbd(bootstrap, detoxer, shutdown);
        default -> throw new IllegalArgumentException("unknown --mode '" + mode + "'; known: vab, dbd");
      }
    }
    return 0;
  }

  private void trainDbd(String bootstrap, CheckpointDetoxer detoxer, OrderlyShutdown shutdown) {
    DbdBeneficiary.Config settings = new DbdBeneficiary.Config(bootstrap, cluster.topics(),
        cluster.clientOverrides(), checkpointDir.resolveSibling(checkpointDir.getFileName() + "-dbd"),
        DbdBeneficiary.DEFAULT_MODEL_ID, architecture.forDataset(dataset.descriptor()), dbdWindow, dbdRoundEvery,
        dbd.settings(), 42L, trust.signingKey());
    try (DbdBeneficiary trainer = new DbdBeneficiary(settings,
        detoxer == null ? TrainingListener.NONE : detoxer)) {
      // DBD stops after its current poll, or abandons its round between two batches (no checkpoint).
      shutdown.stopWith(trainer::stop);
      List<DbdBeneficiary.Round> rounds = trainer.run(untilIdleSeconds == null ? null
          : Duration.ofSeconds(untilIdleSeconds));
      for (DbdBeneficiary.Round r : rounds) {
        System.out.printf("DBD round: %d samples, %d kept their labels, %.0f s, checkpoint %s%n", r.samples(),
            r.labelled(), r.seconds(), r.checkpoint().path());
      }
    }
  }

  private void trainVab(String bootstrap, CheckpointDetoxer detoxer, OrderlyShutdown shutdown) {
    BeneficiaryConfig config = BeneficiaryConfig.defaults(bootstrap, checkpointDir).withTopics(cluster.topics())
        .withBatchSize(batchSize).withLearningRate(learningRate).withReplayRatio(replayRatio)
        .withCheckpointEverySteps(checkpointEvery)
        .withRecipe(recipe.settings())
        .withUnlabelledWeight(unlabelledWeight)
        .withClientOverrides(cluster.clientOverrides())
        .withArchitecture(architecture.forDataset(dataset.descriptor()))
        .withModelTrust(trust.trust(victimCheckpointDir).withDataset(dataset.descriptor()));
    PrometheusMeterRegistry meters = Meters.prometheus("train");
    TrainerMetrics trainerMetrics = new TrainerMetrics(meters);
    TrainingListener listener = detoxer == null ? trainerMetrics : TrainingListener.all(List.of(trainerMetrics, detoxer));
    try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config, listener);
        MetricsServer server = metrics.start(DEFAULT_METRICS_PORT, meters,
            Health.alwaysUp("training (a failed trainer exits the process)"))) {
      trainerMetrics.watch(trainer::progress);
      shutdown.stopWith(trainer::stop);
      TrainingSummary summary = untilIdleSeconds == null ? trainer.run()
          : trainer.runUntilIdle(Duration.ofSeconds(untilIdleSeconds), finalEpochs);
      System.out.printf("trained %d steps on %d samples (%d unlabelled this run, %d re-checked out, victim v%d),"
              + " loss %.4f, last checkpoint %s%n", summary.steps(), summary.samplesSeen(), summary.unlabelledThisRun(),
          summary.recheckedOut(), summary.victimVersion(), summary.loss(),
          summary.lastCheckpoint().map(c -> c.path().toString()).orElse("(none)"));
    }
  }
}

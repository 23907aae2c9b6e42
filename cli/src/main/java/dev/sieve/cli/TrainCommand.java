package dev.sieve.cli;

import dev.sieve.ops.Health;
import dev.sieve.ops.Meters;
import dev.sieve.ops.MetricsServer;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.trainer.BeneficiaryTrainer;
import dev.sieve.trainer.TrainerMetrics;
import dev.sieve.trainer.TrainingSummary;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
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
        "Checkpoints are atomic and sha256-checked (with the consumed offsets inside), each published as a",
        "ModelVersion on <prefix>clean-models. A restart resumes from the last complete checkpoint."})
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

  @Override
  public Integer call() {
    String bootstrap = cluster.bootstrap();
    cluster.ensureTopics(bootstrap, cluster.topics());
    BeneficiaryConfig config = BeneficiaryConfig.defaults(bootstrap, checkpointDir).withTopics(cluster.topics())
        .withBatchSize(batchSize).withLearningRate(learningRate).withReplayRatio(replayRatio)
        .withCheckpointEverySteps(checkpointEvery)
        .withRecipe(recipe.settings())
        .withUnlabelledWeight(unlabelledWeight)
        .withClientOverrides(cluster.clientOverrides());
    PrometheusMeterRegistry meters = Meters.prometheus("train");
    TrainerMetrics trainerMetrics = new TrainerMetrics(meters);
    try (BeneficiaryTrainer trainer = new BeneficiaryTrainer(config, trainerMetrics);
        MetricsServer server = metrics.start(DEFAULT_METRICS_PORT, meters,
            Health.alwaysUp("training (a failed trainer exits the process)"))) {
      trainerMetrics.watch(trainer::progress);
      Runtime.getRuntime().addShutdownHook(new Thread(trainer::close, "sieve-train-shutdown"));
      TrainingSummary summary = untilIdleSeconds == null ? trainer.run()
          : trainer.runUntilIdle(Duration.ofSeconds(untilIdleSeconds), finalEpochs);
      System.out.printf("trained %d steps on %d samples (%d unlabelled this run, %d re-checked out, victim v%d),"
              + " loss %.4f, last checkpoint %s%n", summary.steps(), summary.samplesSeen(), summary.unlabelledThisRun(),
          summary.recheckedOut(), summary.victimVersion(), summary.loss(),
          summary.lastCheckpoint().map(c -> c.path().toString()).orElse("(none)"));
    }
    return 0;
  }
}

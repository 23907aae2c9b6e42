package dev.sieve.cli;

import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.trainer.replay.ReplayConfig;
import dev.sieve.trainer.replay.ReplayJob;
import dev.sieve.trainer.replay.ReplayListener;
import dev.sieve.trainer.replay.ReplayRange;
import dev.sieve.trainer.replay.ReplaySummary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {
        "Re-score a historical range of <prefix>samples with the newest Victim (or --victim-version) and train a",
        "fresh Beneficiary on the result. Verdicts go to <prefix>replay.NAME.credible, .quarantine and .dead-letter",
        "(--into NAME), or with --into live to the live credible, quarantine and dead-letter topics. Invalid records",
        "are dead-lettered with the filter's reason, so every record of the range lands in one output.",
        "The live pipeline is not disturbed: replay reads with assign() and no consumer group, commits nothing,",
        "and its range ends at the end offsets captured at start. Same range and Victim version, same verdicts.",
        "Ends with a Beneficiary checkpoint (announced on <prefix>clean-models only with --publish) and a summary.",
        "",
        "Range: --from/--to (ISO-8601; from inclusive, to exclusive) or --from-offset/--to-offset (N for every",
        "partition, or P:N pairs, which also choose the partitions). Default: everything the topic holds now."})
final class ReplayCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @Mixin ModelTrustOptions trust;

  @Option(names = "--victim-checkpoint-dir", defaultValue = ".sieve/checkpoints/victim", paramLabel = "DIR",
      description = "Where the filter writes Victim checkpoints (its --checkpoint-dir); a published Victim whose "
          + "checkpoint lies elsewhere is refused (default: ${DEFAULT-VALUE}).")
  Path victimCheckpointDir;

  @Option(names = "--from", paramLabel = "TIME",
      description = "Start at the first record with a timestamp at or after TIME, e.g. 2024-05-01T12:00:00Z, "
          + "2024-05-01T14:00:00+02:00 or 2024-05-01 (midnight UTC).")
  String fromTime;

  @Option(names = "--to", paramLabel = "TIME", description = "Stop before the first record at or after TIME.")
  String toTime;

  @Option(names = "--from-offset", paramLabel = "N|P:N[,P:N]",
      description = "Start at offset N of every partition, or at the given offset of each named partition.")
  String fromOffset;

  @Option(names = "--to-offset", paramLabel = "N|P:N[,P:N]", description = "Stop before this offset (exclusive).")
  String toOffset;

  @Option(names = "--into", defaultValue = ReplayConfig.DEFAULT_INTO, paramLabel = "NAME|live",
      description = "Write to <prefix>replay.NAME.{credible,quarantine,dead-letter} (created like the live topics), "
          + "or 'live' for the live topics, where the live Beneficiary trains on them again (default: ${DEFAULT-VALUE}).")
  String into;

  @Option(names = "--victim-version", paramLabel = "N",
      description = "Score with this Victim version instead of the newest on <prefix>victim-models.")
  Long victimVersion;

  @Option(names = "--victim-model-id", defaultValue = VictimUpdaterConfig.DEFAULT_MODEL_ID, paramLabel = "ID",
      description = "The Victim's model id on <prefix>victim-models (default: ${DEFAULT-VALUE}).")
  String victimModelId;

  @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N",
      description = "Samples per Victim forward pass; batches are cut per partition in offset order "
          + "(default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--no-train", description = "Only re-score; train no Beneficiary.")
  boolean noTrain;

  @Option(names = "--mix-epochs", defaultValue = "2", paramLabel = "N",
      description = "Beneficiary epochs with AttentionMix only (default: ${DEFAULT-VALUE}).")
  int mixEpochs;

  @Option(names = "--suppression-epochs", defaultValue = "1", paramLabel = "N",
      description = "Beneficiary epochs with Victim suppression and the quarantined samples as unlabelled data "
          + "(default: ${DEFAULT-VALUE}).")
  int suppressionEpochs;

  @Option(names = "--train-batch-size", defaultValue = "128", paramLabel = "N",
      description = "Beneficiary mini-batch size (default: ${DEFAULT-VALUE}).")
  int trainBatchSize;

  @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  float learningRate;

  @Mixin RecipeOptions recipe;

  @Option(names = "--seed", defaultValue = "42", description = "Seeds the Beneficiary's weights and sample order "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--checkpoint-dir", defaultValue = ".sieve/checkpoints/replay", paramLabel = "DIR",
      description = "Where the Beneficiary's checkpoint is written (default: ${DEFAULT-VALUE}).")
  Path checkpointDir;

  @Option(names = "--model-id", defaultValue = ReplayConfig.DEFAULT_BENEFICIARY_MODEL_ID, paramLabel = "ID",
      description = "The Beneficiary's model id, in its checkpoint file name and on clean-models (default: ${DEFAULT-VALUE}).")
  String modelId;

  @Option(names = "--publish",
      description = "Announce the Beneficiary as a ModelVersion on <prefix>clean-models (default: only write the checkpoint).")
  boolean publish;

  @Option(names = "--summary", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
  Path summaryFile;

  @Override
  public Integer call() throws Exception {
    ReplayConfig config = config();
    PrintStream out = System.out;
    ReplaySummary summary = new ReplayJob(config, new Printer(out)).run();
    out.print(summary.text());
    if (summaryFile != null) {
      summary.writeJson(summaryFile);
      out.println("summary written to " + summaryFile.toAbsolutePath());
    }
    return 0;
  }

  ReplayConfig config() {
    if (batchSize < 1 || trainBatchSize < 1) {
      throw new IllegalArgumentException("--batch-size is " + batchSize + " and --train-batch-size " + trainBatchSize
          + "; expected at least 1 sample per batch");
    }
    BeneficiarySchedule.Plan defaults = BeneficiarySchedule.Plan.defaults();
    return new ReplayConfig(cluster.bootstrap(), cluster.topics(), cluster.clientOverrides(),
        ReplayRange.parse(fromTime, toTime, fromOffset, toOffset), into, victimModelId, victimVersion,
        FilterConfig.defaults(cluster.topics()).withBatchSize(batchSize).withMaxRecordBytes(cluster.maxRecordBytes),
        !noTrain, checkpointDir, modelId,
        new BeneficiarySchedule.Plan(mixEpochs, suppressionEpochs, defaults.lambdaEarly(), defaults.lambdaLate()),
        recipe.settings().withBatchSize(trainBatchSize).withLearningRate(learningRate), seed, publish,
        trust.trust(victimCheckpointDir));
  }

  /** What the command shows while it works: which Victim, the range, a progress bar, the epochs. */
  private static final class Printer implements ReplayListener {

    private final PrintStream out;
    private Progress progress;

    Printer(PrintStream out) {
      this.out = out;
    }

    @Override
    public void onStart(ModelVersion victim, String range, List<ReplayRange.Span> spans, long total) {
      out.printf(Locale.ROOT, "replaying %s (%s): %d offsets%n", range,
          spans.isEmpty() ? "no partition" : ReplayRange.describe(spans), total);
      out.printf(Locale.ROOT, "scoring with Victim %s v%d from %s%n", victim.getModelId(), victim.getVersion(),
          victim.getCheckpointUri());
      if (total == 0) {
        out.println("the range is empty: nothing to replay");
      }
      out.flush();
      progress = new Progress("replay", total);
    }

    @Override
    public void onProgress(long done, long total) {
      progress.update(done);
    }

    @Override
    public void onScored(long records, long credible, long quarantine, long deadLetters) {
      progress.finish();
      out.printf(Locale.ROOT, "scored %d records: %d credible, %d quarantine, %d dead-letter%n", records, credible,
          quarantine, deadLetters);
    }

    @Override
    public void onEpoch(int epoch, int epochs, String phase, double meanLoss, int samples) {
      out.printf(Locale.ROOT, "beneficiary epoch %d/%d (%s) on %d samples, loss %.4f%n", epoch, epochs, phase, samples,
          meanLoss);
    }
  }
}

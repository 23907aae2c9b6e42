package dev.sieve.cli;

import dev.sieve.data.BuiltInDataset;
import dev.sieve.data.FashionMnist;
import dev.sieve.data.FashionMnistColour;
import dev.sieve.eval.Defense;
import dev.sieve.eval.EvalMatrix;
import dev.sieve.eval.EvalSettings;
import dev.sieve.eval.OfflineEvaluation;
import dev.sieve.eval.ReportWriter;
import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.model.training.beneficiary.Unlearning;
import dev.sieve.pipeline.StreamingEval;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {
        "Measure the defenses: a matrix of attacks x poison rates x defenses (none, filter, vab, vab-occlude, vab-unlearn, dbd, detox rows",
        "base+method for base none or vab and method fine-pruning, linf-pruning or d3, clean-reference),",
        "offline on the same Victim schedule and training classes as the stream, and optionally through the real",
        "streaming path. Writes index.html, results.json and PNG plots to --out.",
        "The default matrix is the full one (several hours at 60,000 samples on 2 cores); --cells picks cells, e.g.",
        "  ./sieve eval --cells badnets-3x3:0.1,blend-0.2:0.1:3 --samples 20000",
        "--zoo N --zoo-seed S adds one offline cell per draw of the attack zoo (zoo:S:I; with --zoo-all zoo-all:S:I,",
        "clean-label families included) (instead of the full matrix when",
        "--cells is not given); --first-image picks the range of training images, e.g. tune on 0-29,999 and report on",
        "  ./sieve eval --zoo 20 --zoo-seed S --first-image 30000 --samples 30000"})
final class EvalCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin FilterOptions filter;

  @Option(names = "--cells", split = ",", paramLabel = "ATTACK:RATE[:SEEDS]",
      description = "Cells to run (default: the full matrix). Attacks: badnets-3x3, badnets-2x2, blend-<alpha>, sig, "
          + "wanet, label-consistent. For sig and label-consistent the rate is the share of the target class.")
  List<String> cells;

  @Option(names = "--zoo", defaultValue = "0", paramLabel = "N",
      description = "Also run draws 0..N-1 of the attack zoo, one offline cell each, named by the draw "
          + "(needs --zoo-seed; list them with ./sieve zoo).")
  int zoo;

  @Option(names = "--zoo-seed", paramLabel = "S", description = "The zoo to draw --zoo cells from.")
  Long zooSeed;

  @Option(names = "--zoo-all",
      description = "--zoo draws zoo-all:S:I instead of zoo:S:I: the clean-label families (SIG, label-consistent) "
          + "too, and dirty-label rates up to 30 % (see docs/evaluation.md).")
  boolean zooAll;

  @Option(names = "--samples", defaultValue = "60000", paramLabel = "N",
      description = "Training samples per cell (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--first-image", defaultValue = "0", paramLabel = "N",
      description = "A cell's samples are training images N .. N+samples-1, streaming cells' too (default: "
          + "${DEFAULT-VALUE}).")
  int firstImage;

  @Option(names = "--epochs", defaultValue = "6", paramLabel = "N",
      description = "Epochs of the undefended, filter-only and clean-reference models (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--mix-epochs", defaultValue = "4", paramLabel = "N",
      description = "V&B Beneficiary epochs with AttentionMix only (default: ${DEFAULT-VALUE}).")
  int mixEpochs;

  @Option(names = "--suppression-epochs", defaultValue = "2", paramLabel = "N",
      description = "V&B Beneficiary epochs with Victim suppression and the unlabelled suspicious set (default: ${DEFAULT-VALUE}).")
  int suppressionEpochs;

  @Mixin RecipeOptions recipe;

  @Option(names = "--defenses", split = ",", paramLabel = "NAME",
      description = "Defenses to train (default: all but the experimental vab-unlearn and vab-occlude, which is vab "
          + "with --occlude on the same filter output; none is always trained, DER needs it).")
  List<String> defenses;

  @Option(names = "--detox-clean-share", defaultValue = "0.05", paramLabel = "SHARE",
      description = "Clean set of the detox rows, as a share of --samples: trusted originals for none+*, drawn from "
          + "the credible samples for vab+* (default: ${DEFAULT-VALUE}).")
  double detoxCleanShare;

  @Mixin DbdOptions dbd;
  @Mixin DeviceOptions device;

  @Option(names = "--streaming", split = ",", paramLabel = "ATTACK:RATE",
      description = "Also run these cells through the real streaming path on an embedded broker, "
          + "e.g. badnets-3x3:0.1,blend-0.2:0.1.")
  List<String> streaming;

  @Option(names = "--streaming-samples", defaultValue = "60000", paramLabel = "N",
      description = "Samples per streaming cell (default: ${DEFAULT-VALUE}).")
  int streamingSamples;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX directory (default: as for demo).")
  String dataDir;

  @Option(names = "--dataset", defaultValue = "fmnist", paramLabel = "NAME",
      description = "The built-in data set, as for demo: fmnist or " + FashionMnistColour.NAME
          + " (3x32x32 colour); the models are the small CNN for its shape (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--out", defaultValue = "report", paramLabel = "DIR",
      description = "Report directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--isolation-share", defaultValue = "0.05", paramLabel = "SHARE",
      description = "vab-unlearn row: share of each class's credible samples, lowest loss after the first epoch, that "
          + "is isolated and unlearnt (default: ${DEFAULT-VALUE}).")
  double isolationShare;

  @Option(names = "--unlearn-epochs", defaultValue = "5", paramLabel = "N",
      description = "vab-unlearn row: passes of bounded gradient ascent over the isolated samples (default: "
          + "${DEFAULT-VALUE}).")
  int unlearnEpochs;

  /** ABL's isolate-then-unlearn as the options set it; the cap stays at chance (ln 10). */
  private Unlearning unlearning() {
    Unlearning defaults = Unlearning.defaults();
    return new Unlearning(isolationShare, defaults.isolationEpochs(), unlearnEpochs, defaults.cap(),
        defaults.rehearse(), defaults.flatten());
  }

  @Override
  public Integer call() throws Exception {
    device.use("eval", System.err);
    EvalMatrix matrix = offlineCells();
    EvalMatrix streamingCells = EvalMatrix.parse(streaming == null ? List.of() : streaming);
    Set<Defense> chosen = defenses == null || defenses.isEmpty() ? Defense.defaults()
        : defenses.stream().map(Defense::byId).collect(Collectors.toCollection(() -> EnumSet.noneOf(Defense.class)));
    BeneficiarySchedule.Plan defaults = BeneficiarySchedule.Plan.defaults();
    EvalSettings settings = EvalSettings.defaults()
        .withSamples(samples)
        .withBaselineEpochs(epochs)
        .withPlan(new BeneficiarySchedule.Plan(mixEpochs, suppressionEpochs, defaults.lambdaEarly(), defaults.lambdaLate()))
        .withVictim(filter.victimPlan())
        .withRecipe(recipe.settings())
        .withUnlearning(unlearning())
        .withSplitPolicy(filter.split)
        .withDefenses(chosen)
        .withDbd(dbd.settings())
        .withDetoxCleanShare(detoxCleanShare)
        .withFirstImage(firstImage);
    // originalArgs() holds the whole command line from the top-level command on, "eval" included.
    String command = "./sieve " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Path dataPath = FashionMnist.resolveDir(dataDir);
    BuiltInDataset builtIn = BuiltInDataset.byId(dataset);
    FashionMnist data = builtIn.load(dataPath);
    ReportWriter writer = new ReportWriter(out, command, settings);
    System.out.printf(Locale.ROOT, "eval: %d offline cell(s), %d streaming cell(s), %d samples each from training image"
        + " %d on; report in %s%n", matrix.cells().size(), streamingCells.cells().size(), samples, firstImage,
        out.toAbsolutePath());

    // The streaming cells go first: they are few, and a long offline matrix cut short still
    // leaves a report with both paths in it.
    List<ReportWriter.StreamingRun> streamed = new ArrayList<>();
    for (EvalMatrix.Cell cell : streamingCells.cells()) {
      streamed.add(StreamingEval.run(cell, firstImage, streamingSamples, filter.filterConfig(TopicNames.defaults(), "sieve-eval"),
          filter.victimPlan(), filter.splitPolicy(), dataPath, out.resolve("streaming-work"), settings.recipe(), builtIn));
      writer.write(List.of(), streamed);
    }
    List<ReportWriter.CellPlots> offline = new OfflineEvaluation(data.train(), data.test(), settings)
        .run(matrix, done -> {
          writer.write(done, streamed);
          System.out.printf(Locale.ROOT, "eval: %d/%d offline cells done, report updated%n", done.size(),
              matrix.cells().size());
        });
    writer.write(offline, streamed);
    System.out.println("eval: report written to " + out.resolve("index.html").toAbsolutePath());
    return 0;
  }

  /** --cells (the full matrix when neither they nor --zoo are given), then the --zoo draws. */
  private EvalMatrix offlineCells() {
    if ((zoo > 0) != (zooSeed != null)) {
      throw new IllegalArgumentException("--zoo N and --zoo-seed S go together: S names the zoo, N how many draws");
    }
    if (zoo < 0) {
      throw new IllegalArgumentException("--zoo must be >= 0, got " + zoo);
    }
    if (zooAll && zoo == 0) {
      throw new IllegalArgumentException("--zoo-all says which zoo --zoo N draws from; give --zoo N --zoo-seed S too");
    }
    boolean cellsGiven = cells != null && !cells.isEmpty();
    EvalMatrix chosen = EvalMatrix.parse(cellsGiven ? cells : zoo > 0 ? List.of() : EvalMatrix.FULL);
    return zoo > 0 ? chosen.plus(EvalMatrix.zoo(zooSeed, zoo, zooAll)) : chosen;
  }
}

package dev.sieve.cli;

import dev.sieve.attack.Attack;
import dev.sieve.attack.Attacks;
import dev.sieve.data.FashionMnist;
import dev.sieve.eval.metrics.ModelQuality;
import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointException;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.defense.detox.CleanSet;
import dev.sieve.model.defense.detox.DetoxCheckpoints;
import dev.sieve.model.defense.detox.DetoxMethod;
import dev.sieve.model.defense.detox.DetoxResult;
import dev.sieve.model.defense.detox.DetoxSettings;
import dev.sieve.model.versions.ModelPublisher;
import dev.sieve.trainer.detox.CleanSamples;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "detox", mixinStandardHelpOptions = true,
    description = {
        "Detoxify a checkpoint after training: a Beneficiary, or a model trained elsewhere on the same",
        "architecture. Methods: fine-pruning (prune the channels clean data leaves dormant, then fine-tune),",
        "linf-pruning (prune the channels a reverse-engineered trigger inflates), d3 (move the final layer as far",
        "as the clean loss allows). Each uses a small clean set: by default a random --clean-share of",
        "<prefix>credible, or of an IDX file pair. Writes checkpoint <model>-<method> v<same version> and",
        "announces it on <prefix>clean-models (unless --no-publish).",
        "  ./sieve detox --method d3                       # newest beneficiary checkpoint, clean set from credible",
        "  ./sieve detox --method fine-pruning --checkpoint model-v3.ckpt --clean-images imgs.gz --clean-labels lbls.gz"})
final class DetoxCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster;
  @Mixin ModelTrustOptions trust;

  @Option(names = "--method", required = true, paramLabel = "METHOD",
      description = "fine-pruning, linf-pruning or d3.")
  String method;

  static final class Source {
    @Option(names = "--checkpoint", paramLabel = "FILE",
        description = "The checkpoint file to detoxify (its .sha256 sidecar must sit beside it).")
    Path file;

    @Option(names = "--model-id", paramLabel = "ID",
        description = "Detoxify the newest complete checkpoint of this model in --checkpoint-dir (default: beneficiary).")
    String modelId;
  }

  @ArgGroup(exclusive = true) Source source = new Source();

  @Option(names = "--checkpoint-dir", defaultValue = ".sieve/checkpoints/beneficiary", paramLabel = "DIR",
      description = "Where --model-id is looked up (default: ${DEFAULT-VALUE}).")
  Path checkpointDir;

  @Option(names = "--out-dir", defaultValue = ".sieve/checkpoints/detox", paramLabel = "DIR",
      description = "Where the detoxified checkpoint is written (default: ${DEFAULT-VALUE}).")
  Path outDir;

  @Option(names = "--clean-images", paramLabel = "FILE", description = "IDX image file of a trusted clean set.")
  Path cleanImages;

  @Option(names = "--clean-labels", paramLabel = "FILE", description = "IDX label file that goes with --clean-images.")
  Path cleanLabels;

  @Option(names = "--clean-share", defaultValue = "0.05", paramLabel = "SHARE",
      description = "Share of the source drawn as the clean set (default: ${DEFAULT-VALUE}; 0.01 works too, less well).")
  double cleanShare;

  @Option(names = "--clean-samples", paramLabel = "N", description = "Draw exactly N clean samples instead of a share.")
  Integer cleanSamples;

  @Option(names = "--holdout-share", defaultValue = "0.2", paramLabel = "SHARE",
      description = "Part of the clean set kept aside to check the clean accuracy while pruning (default: ${DEFAULT-VALUE}).")
  double holdoutShare;

  @Option(names = "--max-accuracy-drop", defaultValue = "0.10", paramLabel = "D",
      description = "Pruning stops before the holdout accuracy falls more than D (default: ${DEFAULT-VALUE}).")
  double maxAccuracyDrop;

  @Option(names = "--fine-tune-epochs", paramLabel = "N",
      description = "Fine-Pruning's fine-tuning epochs (default: " + 20 + ").")
  Integer fineTuneEpochs;

  @Option(names = "--d3-epochs", paramLabel = "N", description = "D3's epochs (default: 100).")
  Integer d3Epochs;

  @Option(names = "--seed", defaultValue = "42", description = "Seeds the clean draw and the method (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--no-publish", description = "Write the checkpoint but do not announce it on clean-models.")
  boolean noPublish;

  @Option(names = "--measure-attack", paramLabel = "SPEC",
      description = "Also measure CA, ASR and RA before and after on the Fashion-MNIST test set against this attack "
          + "(e.g. badnets-3x3), for when you know what the model was poisoned with.")
  String measureAttack;

  @Option(names = "--target-label", defaultValue = "0", paramLabel = "L",
      description = "Target class of --measure-attack (default: ${DEFAULT-VALUE}).")
  int targetLabel;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory for --measure-attack.")
  String dataDir;

  @Override
  public Integer call() throws Exception {
    DetoxMethod detox = DetoxMethod.byId(method);
    if ((cleanImages == null) != (cleanLabels == null)) {
      throw new IllegalArgumentException("--clean-images and --clean-labels go together");
    }
    if (!(cleanShare > 0 && cleanShare < 1)) {
      throw new IllegalArgumentException("--clean-share is " + cleanShare + ", expected in (0, 1)");
    }
    StoredCheckpoint input = input();
    System.out.printf(Locale.ROOT, "detox: %s on %s v%d (%s)%n", detox.id(), input.meta().modelId(),
        input.meta().version(), input.path());
    CleanSamples.Drawn drawn = cleanImages != null
        ? CleanSamples.fromIdx(cleanImages, cleanLabels, cleanShare, cleanSamples, seed)
        : CleanSamples.fromCredibleTopic(cluster.bootstrap(), cluster.clientOverrides(), cluster.topics().credible(),
            cleanShare, cleanSamples, seed);
    System.out.printf(Locale.ROOT, "detox: clean set of %d drawn from %s (%d records%s)%n", drawn.samples().size(),
        drawn.source(), drawn.sourceSize(), drawn.undecodable() > 0 ? ", " + drawn.undecodable() + " undecodable" : "");
    CleanSet clean = CleanSet.split(drawn.samples(), holdoutShare, seed);
    DetoxSettings settings = DetoxSettings.defaults().withMaxAccuracyDrop(maxAccuracyDrop);
    if (fineTuneEpochs != null) {
      settings = settings.withFineTuneEpochs(fineTuneEpochs);
    }
    if (d3Epochs != null) {
      settings = settings.withD3Epochs(d3Epochs);
    }
    Architecture architecture = Architecture.byId(input.meta().architecture());
    try (Network network = Network.fromParameters(architecture,
        CheckpointStore.read(input.path().toString(), input.sha256()).parameters())) {
      DetoxResult result = detox.apply(network, clean, settings, seed, m -> System.out.println("detox: " + m));
      try (Network detoxed = result.network();
          ModelPublisher publisher = noPublish ? null : new ModelPublisher(cluster.bootstrap(),
              cluster.topics().cleanModels(), "sieve-detox", cluster.clientOverrides(), trust.signingKey())) {
        StoredCheckpoint written = DetoxCheckpoints.write(new CheckpointStore(outDir), input.meta(), result,
            clean.size(), Optional.ofNullable(publisher));
        System.out.printf(Locale.ROOT, "detox: done in %.1f s; wrote %s v%d to %s%n", result.seconds(),
            written.meta().modelId(), written.meta().version(), written.path());
        result.report().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-24s %s%n", k, v));
        if (publisher != null) {
          System.out.printf(Locale.ROOT, "detox: announced %s v%d on %s%n", written.meta().modelId(),
              written.meta().version(), cluster.topics().cleanModels());
        }
        if (measureAttack != null) {
          measure(network, detoxed);
        }
      }
    }
    return 0;
  }

  private StoredCheckpoint input() {
    if (source.file != null) {
      return CheckpointStore.readFile(source.file);
    }
    String id = source.modelId == null ? "beneficiary" : source.modelId;
    return new CheckpointStore(checkpointDir).latest(id).orElseThrow(() -> new CheckpointException(
        "no complete checkpoint of model '" + id + "' in " + checkpointDir.toAbsolutePath()
            + "; train one first (./sieve train) or name a file with --checkpoint"));
  }

  private void measure(Network before, Network after) throws Exception {
    Attack attack = Attacks.parse(measureAttack, targetLabel);
    FashionMnist.Split test = FashionMnist.loadTest(FashionMnist.resolveDir(dataDir));
    System.out.println("detox: before: " + ModelQuality.measure(before, test, attack).summaryLine());
    System.out.println("detox: after:  " + ModelQuality.measure(after, test, attack).summaryLine());
  }
}

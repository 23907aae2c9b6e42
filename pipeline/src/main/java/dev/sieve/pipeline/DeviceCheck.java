package dev.sieve.pipeline;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.attack.Attacks;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.model.Architecture;
import dev.sieve.model.ComputeDevice;
import dev.sieve.model.Entropy;
import dev.sieve.model.Network;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.VictimTraining;
import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.model.training.beneficiary.BeneficiaryStep;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.schemas.LabeledSample;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model work of Sieve on one device, measured, without Kafka: the bare scoring path
 * (forward pass + V&amp;B entropy, one forward pass per batch) at several batch sizes, the Victim's
 * warm-up and one retraining round on a 10,000-sample window, one Beneficiary suppression epoch
 * over the training set as that Victim splits it, and the same Victim's logits on the test set
 * against a copy of it on the CPU. One JSON object per line on stdout (and {@code --out}).
 *
 * <p>Its own {@code main}, not a {@code sieve} command: it is what {@code deploy/gpu/device-check.sh}
 * runs on a machine with no JDK and no Maven, from a jlink runtime and only the jars this class
 * needs (no Kafka, no RocksDB); see docs/deploy.md, "Running on the GPU machine".
 */
public final class DeviceCheck {

  /** What to run; {@link #parse} reads it from {@code --name value} pairs. */
  record Plan(Path data, ComputeDevice.Request device, int[] batchSizes, int scoreSamples, int victimSamples,
      int beneficiarySamples, int compareSamples, Path out) {

    static Plan parse(String[] args) {
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i += 2) {
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
        }
        given.put(args[i].substring(2), args[i + 1]);
      }
      Plan plan = new Plan(FashionMnist.resolveDir(given.remove("data")),
          ComputeDevice.Request.valueOf(given.getOrDefault("device", "auto").toUpperCase(Locale.ROOT)),
          parseInts(given.getOrDefault("batch-sizes", "256,1024,4096")),
          Integer.parseInt(given.getOrDefault("score-samples", "30000")),
          Integer.parseInt(given.getOrDefault("victim-samples", "10000")),
          Integer.parseInt(given.getOrDefault("beneficiary-samples", "60000")),
          Integer.parseInt(given.getOrDefault("compare-samples", "10000")),
          given.containsKey("out") ? Path.of(given.get("out")) : null);
      given.keySet().removeAll(List.of("device", "batch-sizes", "score-samples", "victim-samples",
          "beneficiary-samples", "compare-samples", "out"));
      if (!given.isEmpty()) {
        throw new IllegalArgumentException("unknown options " + given.keySet() + "; known: --data --device "
            + "--batch-sizes --score-samples --victim-samples --beneficiary-samples --compare-samples --out");
      }
      return plan;
    }

    private static int[] parseInts(String csv) {
      return Arrays.stream(csv.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }
  }

  /** Tolerances of the device-against-CPU check, see {@link #compare}. */
  static final double LOGIT_TOLERANCE = 0.05;
  static final double TIE_MARGIN = 0.01;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Plan plan;
  private final PrintStream out;
  private final List<String> lines = new ArrayList<>();

  DeviceCheck(Plan plan, PrintStream out) {
    this.plan = plan;
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    Plan plan;
    try {
      plan = Plan.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("device-check: " + e.getMessage());
      System.exit(2);
      return;
    }
    int status = new DeviceCheck(plan, System.out).run();
    System.exit(status);
  }

  /** Runs every phase; 0 when all ran and the predictions agree, 1 when they do not, 2 when the device is refused. */
  int run() throws IOException {
    ComputeDevice.Choice choice = ComputeDevice.use(plan.device());
    emit("engine", ordered("engine", choice.facts().engine(), "libtorch", choice.facts().libtorch(),
        "flavor", choice.facts().flavor(), "cudaAvailable", choice.facts().cudaAvailable(),
        "gpusCounted", choice.facts().visibleGpus(), "request", plan.device().name().toLowerCase(Locale.ROOT),
        "device", choice.refused() ? "refused: " + choice.refusal() : choice.device().toString()));
    if (choice.refused()) {
      return 2;
    }
    Device device = choice.device();
    FashionMnist data = FashionMnist.load(plan.data());
    int n = Math.min(plan.beneficiarySamples(), data.train().size());
    List<LabeledSample> stream = new PoisonedTrainingSet(data.train(), n, 0.1, Attacks.parse("badnets-3x3", 0), 7)
        .samples();
    List<LabeledSample> head = stream.subList(0, Math.min(plan.victimSamples(), n));

    VictimSchedule.Plan victimPlan = VictimSchedule.Plan.defaults();
    try (VictimTraining victim = new VictimTraining(Architecture.FMNIST_CNN_V1, SplitPolicies.defaultPolicy(),
        victimPlan.batchSize(), victimPlan.learningRate(), victimPlan.seed())) {
      long t0 = System.nanoTime();
      victim.warmUp(head, done -> { });
      emitTimed("victim-warmup", t0, head.size(), device, ordered("epochs", 1));
      t0 = System.nanoTime();
      int retrained = victim.retrainOnSuspicious(head);
      emitTimed("victim-round", t0, head.size(), device, ordered("retrainedOn", retrained));

      score(victim.network(), stream, device);

      t0 = System.nanoTime();
      VictimTraining.Split split = victim.split(stream);
      List<LabeledSample> credible = new ArrayList<>();
      List<LabeledSample> suspicious = new ArrayList<>();
      for (int i = 0; i < stream.size(); i++) {
        (split.suspicious()[i] ? suspicious : credible).add(stream.get(i));
      }
      emitTimed("victim-split", t0, stream.size(), device, ordered("suspicious", suspicious.size()));

      BeneficiarySchedule.Plan defaults = BeneficiarySchedule.Plan.defaults();
      try (Network beneficiary = Network.create(Architecture.FMNIST_CNN_V1, 11);
          BeneficiaryStep step = new BeneficiaryStep(beneficiary, RecipeSettings.defaults(), 11)) {
        t0 = System.nanoTime();
        BeneficiarySchedule.train(step, credible, suspicious, victim.network(),
            new BeneficiarySchedule.Plan(0, 1, defaults.lambdaEarly(), defaults.lambdaLate()), 11,
            BeneficiarySchedule.EpochListener.NONE);
        emitTimed("beneficiary-epoch", t0, credible.size() + suspicious.size(), device,
            ordered("credible", credible.size(), "unlabelled", suspicious.size(), "steps", step.steps(),
                "batchSize", step.settings().batchSize()));
      }

      List<LabeledSample> test = new PoisonedTrainingSet(data.test(), 0,
          Math.min(plan.compareSamples(), data.test().size()), List.of(), 7).samples();
      boolean agree = compare(victim.network(), test);
      return agree ? 0 : 1;
    } finally {
      if (plan.out() != null) {
        Files.write(plan.out(), lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
    }
  }

  /** The bare scoring path: one forward pass per batch, then the entropy of each row, after a warm-up pass. */
  private void score(Network network, List<LabeledSample> stream, Device device) throws IOException {
    int n = Math.min(plan.scoreSamples(), stream.size());
    int c = network.architecture().numClasses();
    for (int batch : plan.batchSizes()) {
      double checksum = 0;
      for (int pass = 0; pass < 2; pass++) {
        long t0 = System.nanoTime();
        checksum = 0;
        for (int from = 0; from < n; from += batch) {
          List<LabeledSample> slice = stream.subList(from, Math.min(n, from + batch));
          float[] logits = network.logits(slice);
          for (int i = 0; i < slice.size(); i++) {
            checksum += Entropy.meanEntropyFromLogits(logits, i * c, c);
          }
        }
        if (pass == 1) {
          emitTimed("score", t0, n, device, ordered("batchSize", batch, "meanEntropy", checksum / n));
        }
      }
    }
  }

  /**
   * The chosen device's logits on the test set against the same weights on the CPU. They agree when
   * every logit is within {@value #LOGIT_TOLERANCE} and every argmax matches, except where the CPU's
   * top two classes are within {@value #TIE_MARGIN} (a near tie that rounding may flip): cuDNN may
   * run convolutions in TF32 (libtorch's default), which rounds to about 1e-3 relative.
   */
  private boolean compare(Network network, List<LabeledSample> test) throws IOException {
    long t0 = System.nanoTime();
    int c = network.architecture().numClasses();
    float[] onDevice = network.logits(test);
    float[] onCpu;
    try (Network cpu = Network.fromParameters(network.architecture(), network.parameters(), Device.cpu())) {
      onCpu = cpu.logits(test);
    }
    double maxLogitDiff = 0;
    double maxEntropyDiff = 0;
    int argmaxDiffer = 0;
    int nearTiesDiffer = 0;
    for (int i = 0; i < test.size(); i++) {
      for (int k = 0; k < c; k++) {
        maxLogitDiff = Math.max(maxLogitDiff, Math.abs(onDevice[i * c + k] - onCpu[i * c + k]));
      }
      maxEntropyDiff = Math.max(maxEntropyDiff, Math.abs(Entropy.meanEntropyFromLogits(onDevice, i * c, c)
          - Entropy.meanEntropyFromLogits(onCpu, i * c, c)));
      int a = argmax(onDevice, i * c, c);
      int b = argmax(onCpu, i * c, c);
      if (a != b) {
        if (topTwoMargin(onCpu, i * c, c) < TIE_MARGIN) {
          nearTiesDiffer++;
        } else {
          argmaxDiffer++;
        }
      }
    }
    boolean agree = argmaxDiffer == 0 && maxLogitDiff <= LOGIT_TOLERANCE;
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("device", network.model().getNDManager().getDevice().toString());
    fields.put("samples", test.size());
    fields.put("maxAbsLogitDiff", maxLogitDiff);
    fields.put("maxAbsEntropyDiff", maxEntropyDiff);
    fields.put("argmaxDiffer", argmaxDiffer);
    fields.put("nearTiesDiffer", nearTiesDiffer);
    fields.put("logitTolerance", LOGIT_TOLERANCE);
    fields.put("agree", agree);
    fields.put("seconds", (System.nanoTime() - t0) / 1e9);
    emit("equality", fields);
    return agree;
  }

  private static int argmax(float[] row, int offset, int c) {
    int best = 0;
    for (int k = 1; k < c; k++) {
      if (row[offset + k] > row[offset + best]) {
        best = k;
      }
    }
    return best;
  }

  private static double topTwoMargin(float[] row, int offset, int c) {
    double first = Double.NEGATIVE_INFINITY;
    double second = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < c; k++) {
      double v = row[offset + k];
      if (v > first) {
        second = first;
        first = v;
      } else if (v > second) {
        second = v;
      }
    }
    return first - second;
  }

  private void emitTimed(String phase, long startNanos, int samples, Device device, Map<String, Object> extra)
      throws IOException {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("device", device.toString());
    fields.put("samples", samples);
    fields.put("seconds", seconds);
    fields.put("samplesPerSecond", samples / seconds);
    fields.putAll(extra);
    if (device.isGpu()) {
      // The whole GPU's memory in use (cudaMemGetInfo), PyTorch's caching allocator included.
      MemoryUsage memory = CudaUtils.getGpuMemory(device);
      fields.put("gpuMemoryUsedMiB", memory.getUsed() / (1024 * 1024));
      fields.put("gpuMemoryTotalMiB", memory.getMax() / (1024 * 1024));
    }
    emit(phase, fields);
  }

  /** Key-value pairs in the order given, so that every line reads the same way. */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private void emit(String phase, Map<String, Object> fields) throws IOException {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("phase", phase);
    line.putAll(fields);
    String json = JSON.writeValueAsString(line);
    lines.add(json);
    out.println(json);
    out.flush();
  }
}

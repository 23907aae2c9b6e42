package dev.sieve.eval;

import dev.sieve.attack.Attack;
import dev.sieve.attack.PoisonComponent;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.eval.metrics.Detection;
import dev.sieve.eval.metrics.ModelQuality;
import dev.sieve.eval.metrics.Quality;
import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.defense.dbd.DbdSettings;
import dev.sieve.model.defense.dbd.DbdTrainer;
import dev.sieve.model.defense.detox.CleanSet;
import dev.sieve.model.defense.detox.DetoxResult;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import dev.sieve.model.training.beneficiary.BeneficiaryStep;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one cell of the matrix offline: poisons the training set, runs the streaming filter's
 * schedule over it ({@link OfflineFilter}), and trains one model per defense with the classes the
 * streaming Beneficiary uses. Every model is measured on the real Fashion-MNIST test set, against
 * the triggers of every attack that poisoned the cell (two for some zoo draws).
 *
 * <p>The clean reference depends only on the seed (the unpoisoned originals of the same samples),
 * so it is trained once per seed and measured against each attack's trigger.
 */
final class CellRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CellRunner.class);

  /** The result plus the per-sample arrays the report plots. */
  record Output(CellResult result, double[] finalEntropies, boolean[] poisoned, boolean[] quarantinedOnArrival) {}

  private record Trained(Network network, List<EpochPoint> curve, double seconds, long sampleEpochs) {}

  private final FashionMnist.Split train;
  private final FashionMnist.Split test;
  private final EvalSettings settings;
  private final Map<Long, Trained> cleanReferences = new HashMap<>();
  /** The small CNN for the split's shape: fmnist-cnn-v1 on Fashion-MNIST, as the stream's Victim and Beneficiary. */
  private final Architecture architecture;

  CellRunner(FashionMnist.Split train, FashionMnist.Split test, EvalSettings settings) {
    if ((long) settings.firstImage() + settings.samples() > train.size()) {
      throw new IllegalArgumentException("asked for " + settings.samples() + " training samples from image "
          + settings.firstImage() + " on, the data has " + train.size());
    }
    this.train = train;
    this.test = test;
    this.settings = settings;
    this.architecture = new Architecture(Architecture.Family.SMALL_CNN, train.channels(), train.rows(), train.cols(),
        FashionMnist.NUM_CLASSES);
  }

  Output run(EvalMatrix.Cell cell) {
    long started = System.nanoTime();
    List<PoisonComponent> poisoning = cell.poisoning();
    List<Attack> triggers = poisoning.stream().map(PoisonComponent::attack).toList();
    LOG.info("cell {}: poisoning {} samples from image {} on with {}", cell.label(), settings.samples(),
        settings.firstImage(), cell.name());
    PoisonedTrainingSet data = new PoisonedTrainingSet(train, settings.firstImage(), settings.samples(), poisoning,
        cell.seed());
    List<LabeledSample> samples = data.samples();
    boolean[] poisoned = data.poisonedFlags();
    List<DefenseResult> defenses = new ArrayList<>();

    Trained undefended = trainPlain("none", samples, triggers, cell.seed());
    ModelQuality noneMeasured = measureFull(undefended.network(), triggers);
    Quality none = noneMeasured.quality();
    defenses.add(result(Defense.NONE, noneMeasured, null, samples.size(), 0, undefended));
    try {
      // A user with a model trained elsewhere holds a small trusted clean set: here the unpoisoned
      // originals of a random share of the training samples.
      List<LabeledSample> trusted = sample(cleanOriginals(cell.seed()), cell.seed());
      defenses.addAll(detoxRows(Defense.NONE, undefended.network(), trusted, none, triggers, cell.seed()));
    } finally {
      undefended.network().close();
    }
    if (settings.defenses().contains(Defense.DBD)) {
      int[] labelled = new int[1];
      Trained t = trainDbd(samples, poisoned, triggers, cell.seed(), labelled);
      defenses.add(result(Defense.DBD, measureFull(t.network(), triggers), none, labelled[0], samples.size() - labelled[0],
          t));
      t.network().close();
    }

    LOG.info("cell {}: filtering", cell.label());
    OfflineFilter.Outcome filter = OfflineFilter.run(samples,
        settings.victim().withSeed(cell.seed()), SplitPolicies.byName(settings.splitPolicy()));
    try {
      Detection onArrival = Detection.of(filter.quarantinedOnArrival(), poisoned, null);
      boolean[] excluded = filter.excluded();
      Detection afterRecheck = Detection.of(excluded, poisoned, Detection.suspicion(filter.finalEntropies()));
      LOG.info("cell {}: filter on arrival recall {} FPR {}; after re-check recall {} FPR {} AUROC {}", cell.label(),
          fmt(onArrival.recall()), fmt(onArrival.fpr()), fmt(afterRecheck.recall()), fmt(afterRecheck.fpr()),
          fmt(afterRecheck.auroc()));

      if (settings.defenses().contains(Defense.FILTER)) {
        List<LabeledSample> credible = BeneficiarySchedule.select(samples, filter.quarantinedOnArrival(), false);
        Trained t = trainPlain("filter", credible, triggers, cell.seed());
        defenses.add(result(Defense.FILTER, measureFull(t.network(), triggers), none, credible.size(), 0, t));
        t.network().close();
      }
      if (settings.defenses().contains(Defense.VAB)) {
        List<LabeledSample> credible = BeneficiarySchedule.select(samples, excluded, false);
        List<LabeledSample> suspicious = BeneficiarySchedule.select(samples, excluded, true);
        Trained t = trainVab(Defense.VAB, settings.recipe(), credible, suspicious, filter.victim().network(), triggers,
            cell.seed());
        defenses.add(result(Defense.VAB, measureFull(t.network(), triggers), none, credible.size(), suspicious.size(), t));
        try {
          // The streaming default: the clean set comes from the credible topic, leaked poison and all.
          defenses.addAll(detoxRows(Defense.VAB, t.network(), sample(credible, cell.seed()), none, triggers,
              cell.seed()));
        } finally {
          t.network().close();
        }
      }
      if (settings.defenses().contains(Defense.VAB_OCCLUDE)) {
        List<LabeledSample> credible = BeneficiarySchedule.select(samples, excluded, false);
        List<LabeledSample> suspicious = BeneficiarySchedule.select(samples, excluded, true);
        Trained t = trainVab(Defense.VAB_OCCLUDE, settings.recipe().withOcclude(true), credible, suspicious,
            filter.victim().network(), triggers, cell.seed());
        defenses.add(result(Defense.VAB_OCCLUDE, measureFull(t.network(), triggers), none, credible.size(),
            suspicious.size(), t));
        t.network().close();
      }
      if (settings.defenses().contains(Defense.VAB_UNLEARN)) {
        List<LabeledSample> credible = BeneficiarySchedule.select(samples, excluded, false);
        List<LabeledSample> suspicious = BeneficiarySchedule.select(samples, excluded, true);
        Trained t = trainVabUnlearn(credible, suspicious, filter.victim().network(), triggers, poisoned, samples,
            cell.seed());
        defenses.add(result(Defense.VAB_UNLEARN, measureFull(t.network(), triggers), none, credible.size(),
            suspicious.size(), t));
        t.network().close();
      }
      if (settings.defenses().contains(Defense.CLEAN)) {
        Trained reference = cleanReference(cell.seed(), triggers);
        defenses.add(result(Defense.CLEAN, measureFull(reference.network(), triggers), none, settings.samples(), 0,
            reference));
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      CellResult result = new CellResult(cell.name(), cell.rate(), cell.seed(), "offline", samples.size(),
          data.poisonedCount(), onArrival, afterRecheck, filter.versions(), filter.seconds(),
          samples.size() / filter.seconds(), defenses, seconds);
      return new Output(result, filter.finalEntropies(), poisoned, filter.quarantinedOnArrival());
    } finally {
      filter.victim().close();
    }
  }

  private Trained cleanReference(long seed, List<Attack> triggers) {
    return cleanReferences.computeIfAbsent(seed, s -> {
      return trainPlain("clean-reference", cleanOriginals(s), triggers, s);
    });
  }

  /** The unpoisoned originals of the cell's samples: the clean reference's data and the trusted detox pool. */
  private List<LabeledSample> cleanOriginals(long seed) {
    return new PoisonedTrainingSet(train, settings.firstImage(), settings.samples(), List.of(), seed).samples();
  }

  private Trained trainPlain(String name, List<LabeledSample> data, List<Attack> triggers, long seed) {
    long started = System.nanoTime();
    Network network = Network.create(architecture, seed);
    List<EpochPoint> curve = new ArrayList<>();
    try (ClassifierTrainer trainer = new ClassifierTrainer(network, settings.learningRate())) {
      Random order = new Random(seed);
      for (int epoch = 1; epoch <= settings.baselineEpochs(); epoch++) {
        double loss = trainer.epoch(data, settings.batchSize(), order, done -> { });
        curve.add(point(epoch, "cross-entropy", loss, network, triggers));
        LOG.info("  {}: epoch {}/{} on {} samples, loss {}, CA {}, ASR {}", name, epoch, settings.baselineEpochs(),
            data.size(), fmt(loss), fmt(curve.get(curve.size() - 1).cleanAccuracy()),
            fmt(curve.get(curve.size() - 1).attackSuccessRate()));
      }
    }
    return new Trained(network, curve, (System.nanoTime() - started) / 1e9,
        (long) data.size() * settings.baselineEpochs());
  }

  private Trained trainVab(Defense row, RecipeSettings recipe, List<LabeledSample> credible,
      List<LabeledSample> suspicious, Network victim, List<Attack> triggers, long seed) {
    long started = System.nanoTime();
    Network network = Network.create(architecture, seed);
    List<EpochPoint> curve = new ArrayList<>();
    try (BeneficiaryStep step = new BeneficiaryStep(network, recipe, seed)) {
      BeneficiarySchedule.train(step, credible, suspicious, victim, settings.plan(), seed,
          (epoch, phase, loss, n) -> {
            curve.add(point(epoch, phase, loss, network, triggers));
            LOG.info("  {}: epoch {} ({}) on {} samples, loss {}, CA {}, ASR {}", row.id(), epoch, phase, n, fmt(loss),
                fmt(curve.get(curve.size() - 1).cleanAccuracy()), fmt(curve.get(curve.size() - 1).attackSuccessRate()));
          });
    }
    int epochs = settings.plan().mixEpochs() + settings.plan().suppressionEpochs();
    return new Trained(network, curve, (System.nanoTime() - started) / 1e9, (long) credible.size() * epochs);
  }

  /** The V&amp;B Beneficiary with isolate-then-unlearn; logs how much of the isolated set was poison. */
  private Trained trainVabUnlearn(List<LabeledSample> credible, List<LabeledSample> suspicious, Network victim,
      List<Attack> triggers, boolean[] poisoned, List<LabeledSample> samples, long seed) {
    long started = System.nanoTime();
    Network network = Network.create(architecture, seed);
    List<EpochPoint> curve = new ArrayList<>();
    List<LabeledSample> isolated;
    try (BeneficiaryStep step = new BeneficiaryStep(network, settings.recipe(), seed)) {
      isolated = BeneficiarySchedule.train(step, credible, suspicious, victim, settings.plan(), settings.unlearning(),
          seed, (epoch, phase, loss, n) -> {
            curve.add(point(epoch, phase, loss, network, triggers));
            LOG.info("  vab-unlearn: epoch {} ({}) on {} samples, loss {}, CA {}, ASR {}", epoch, phase, n, fmt(loss),
                fmt(curve.get(curve.size() - 1).cleanAccuracy()), fmt(curve.get(curve.size() - 1).attackSuccessRate()));
          });
    }
    Set<String> poisonedIds = new HashSet<>();
    int poisonedCredible = 0;
    Set<String> credibleIds = new HashSet<>();
    credible.forEach(s -> credibleIds.add(s.getId()));
    for (int i = 0; i < samples.size(); i++) {
      if (poisoned[i]) {
        poisonedIds.add(samples.get(i).getId());
        poisonedCredible += credibleIds.contains(samples.get(i).getId()) ? 1 : 0;
      }
    }
    long caught = isolated.stream().filter(s -> poisonedIds.contains(s.getId())).count();
    // The mechanism in one line: how much of what it unlearnt was poison, of the poison it trained on.
    LOG.info("  vab-unlearn: isolated {} samples, {} of them poisoned, of {} poisoned credible samples",
        isolated.size(), caught, poisonedCredible);
    int epochs = Math.max(settings.plan().mixEpochs(), settings.unlearning().isolationEpochs())
        + settings.plan().suppressionEpochs();
    return new Trained(network, curve, (System.nanoTime() - started) / 1e9, (long) credible.size() * epochs);
  }

  /** DBD from a fresh network; {@code labelledOut[0]} receives how many samples kept their labels. */
  private Trained trainDbd(List<LabeledSample> data, boolean[] poisoned, List<Attack> triggers, long seed, int[] labelledOut) {
    long started = System.nanoTime();
    Network network = Network.create(architecture, seed);
    List<EpochPoint> curve = new ArrayList<>();
    DbdSettings dbd = settings.dbd();
    DbdTrainer.Result result = DbdTrainer.train(network, data, dbd, seed, (stage, epoch, epochs, loss) -> {
      LOG.info("  dbd: {} epoch {}/{} on {} samples, loss {}", stage, epoch, epochs, data.size(), fmt(loss));
      if (DbdTrainer.MIXMATCH.equals(stage)) {
        curve.add(point(epoch, stage, loss, network, triggers));
      }
    });
    int poisonedKept = 0;
    int poisonedTotal = 0;
    for (int i = 0; i < poisoned.length; i++) {
      poisonedTotal += poisoned[i] ? 1 : 0;
      poisonedKept += poisoned[i] && result.labelled()[i] ? 1 : 0;
    }
    labelledOut[0] = result.labelledCount();
    // DBD's mechanism in one number: poisoned samples should land in the unlabelled half.
    LOG.info("  dbd: {}; {} of {} poisoned samples kept their labels", result, poisonedKept, poisonedTotal);
    long sampleEpochs = (long) data.size() * (dbd.simclrEpochs() + dbd.mixmatchEpochs());
    return new Trained(network, curve, (System.nanoTime() - started) / 1e9, sampleEpochs);
  }

  /** The selected detox rows on {@code base}'s model; the model itself is left as it was. */
  private List<DefenseResult> detoxRows(Defense base, Network model, List<LabeledSample> cleanSamples,
      Quality undefended, List<Attack> triggers, long seed) {
    List<DefenseResult> out = new ArrayList<>();
    for (Defense d : settings.defenses()) {
      if (d.base() != base) {
        continue;
      }
      CleanSet clean = CleanSet.split(cleanSamples, CleanSet.DEFAULT_HOLDOUT_SHARE, seed);
      DetoxResult result = d.detox().apply(model, clean, settings.detox(), seed,
          message -> LOG.info("  {}: {}", d.id(), message));
      try (Network detoxed = result.network()) {
        ModelQuality measured = measureFull(detoxed, triggers);
        Quality q = measured.quality();
        LOG.info("  {}: CA {} ASR {} with {} clean samples in {} s", d.id(), fmt(q.cleanAccuracy()),
            fmt(q.attackSuccessRate()), clean.size(), String.format(java.util.Locale.ROOT, "%.1f", result.seconds()));
        out.add(result(d, measured, undefended, clean.size(), 0, new Trained(null, List.of(), result.seconds(), 0)));
      }
    }
    return out;
  }

  /** A seeded random {@code detoxCleanShare} of the cell's sample count, drawn from {@code pool}. */
  private List<LabeledSample> sample(List<LabeledSample> pool, long seed) {
    int n = Math.min(pool.size(), Math.max(2, (int) Math.round(settings.samples() * settings.detoxCleanShare())));
    List<LabeledSample> order = new ArrayList<>(pool);
    java.util.Collections.shuffle(order, new Random(seed ^ 0x5eed));
    return order.subList(0, n);
  }

  private EpochPoint point(int epoch, String phase, double loss, Network network, List<Attack> triggers) {
    Quality q = measure(network, triggers);
    return new EpochPoint(epoch, phase, loss, q.cleanAccuracy(), q.attackSuccessRate());
  }

  private Quality measure(Network network, List<Attack> triggers) {
    return ModelQuality.measure(network, test, triggers).quality();
  }

  /** The three rates plus where the triggered images go, which a row's result reports. */
  private ModelQuality measureFull(Network network, List<Attack> triggers) {
    return ModelQuality.measure(network, test, triggers);
  }

  private static DefenseResult result(Defense defense, ModelQuality measured, Quality undefended, int labelled,
      int unlabelled, Trained trained) {
    Quality quality = measured.quality();
    LOG.info("  {}: CA {} ASR {} RA {}; flip rate {}; triggered images predicted as {}", defense.id(),
        fmt(quality.cleanAccuracy()), fmt(quality.attackSuccessRate()), fmt(quality.robustAccuracy()),
        fmt(measured.flipRate()), shares(measured.triggeredShares()));
    return new DefenseResult(defense.id(), quality, undefended == null ? Double.NaN : quality.der(undefended),
        labelled, unlabelled, trained.seconds(), trained.sampleEpochs() / trained.seconds(), trained.curve(),
        measured.flipRate(), measured.triggeredShares());
  }

  private static String shares(double[] shares) {
    StringBuilder out = new StringBuilder("[");
    for (int c = 0; c < shares.length; c++) {
      out.append(c == 0 ? "" : " ").append(c).append(':').append(String.format(java.util.Locale.ROOT, "%.3f", shares[c]));
    }
    return out.append(']').toString();
  }

  static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.4f", v);
  }

  @Override
  public void close() {
    cleanReferences.values().forEach(t -> t.network().close());
    cleanReferences.clear();
  }
}

package dev.sieve.eval;

import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.eval.metrics.Detection;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.defense.split.InClassTest;
import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.VictimTraining;
import dev.sieve.schemas.LabeledSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The offline filter alone on one cell, with the window of every Victim version it fits written
 * out: one CSV per version with each window sample's claimed label, the Victim's entropy and class,
 * the reference model's class and whether it is poisoned.
 *
 * <p>Why: a split rule is a function of exactly these columns, so any candidate rule, and a scan
 * of any threshold, can be computed on the tables of many zoo draws without training a Victim
 * again. A Python replica of the Victim does not stand in for it: on the same attack it learns
 * the trigger to different depths than DJL's Victim does.
 */
public final class DetectionProbe {

  /**
   * @param versions Victim versions fitted
   * @param onArrival each sample judged by the version current when it arrived
   * @param afterRecheck the same, or suspect to the last version
   * @param windows the CSV files, one per version
   */
  public record Result(String cell, int samples, int poisoned, int versions, Detection onArrival, Detection afterRecheck,
      List<Path> windows, double seconds, List<String> inClass) {

    public String summaryLine() {
      return String.format(Locale.ROOT, "%s: %d samples, %d poisoned, %d versions | on arrival recall %.3f FPR %.4f "
          + "| after re-check recall %.3f FPR %.4f | %.0f s", cell, samples, poisoned, versions, onArrival.recall(),
          onArrival.fpr(), afterRecheck.recall(), afterRecheck.fpr(), seconds)
          + (inClass.isEmpty() ? "" : System.lineSeparator() + String.join(System.lineSeparator(), inClass));
    }
  }

  static final List<InClassTest> IN_CLASS_CANDIDATES = List.of(InClassTest.SPECTRAL, InClassTest.CLUSTERING);

  /**
   * The columns after {@code poisoned}: per in-class candidate, whether its test (fitted on this
   * window, whatever {@code --inclass} the filter runs with) flags the sample, so the candidates are
   * compared on the very same Victim.
   */
  static final String BASE_HEADER = "index,id,label,entropy,victim,reference,poisoned";
  static final String HEADER = BASE_HEADER + ","
      + IN_CLASS_CANDIDATES.stream().map(InClassTest::id).collect(Collectors.joining(","));

  private DetectionProbe() {}



  /**
   * Streams images {@code firstImage .. firstImage + samples - 1}, poisoned as {@code cell} says,
   * through the offline filter, and writes {@code dir/v<N>.csv} for every version.
   */
  public static Result run(FashionMnist.Split train, int firstImage, int samples, EvalMatrix.Cell cell,
      VictimSchedule.Plan plan, SplitPolicy policy, Path dir) {
    long started = System.nanoTime();
    PoisonedTrainingSet data = new PoisonedTrainingSet(train, firstImage, samples, cell.poisoning(), cell.seed());
    List<LabeledSample> stream = data.samples();
    boolean[] poisoned = data.poisonedFlags();
    List<Path> windows = new ArrayList<>();
    List<String> inClass = new ArrayList<>();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    OfflineFilter.Outcome outcome = OfflineFilter.run(stream, plan.withSeed(cell.seed()), policy,
        (version, arrived, victim, split) -> windows.add(write(dir.resolve(String.format(Locale.ROOT, "v%02d.csv",
            version)), stream, poisoned, arrived, victim, split, policy.inClassSettings(), version, inClass)));
    try {
      return new Result(cell.name(), stream.size(), data.poisonedCount(), outcome.versions(),
          Detection.of(outcome.quarantinedOnArrival(), poisoned, null),
          Detection.of(outcome.excluded(), poisoned, Detection.suspicion(outcome.finalEntropies())), List.copyOf(windows),
          (System.nanoTime() - started) / 1e9, List.copyOf(inClass));
    } finally {
      outcome.victim().close();
    }
  }

  /** The window of one version: the last {@code split.entropies().length} of the {@code arrived} samples. */
  private static Path write(Path file, List<LabeledSample> stream, boolean[] poisoned, int arrived,
      VictimTraining victim, VictimTraining.Split split, InClassTest.Settings settings, int version, List<String> inClass) {
    double[] entropies = split.entropies();
    int[] reference = split.referencePredictions();
    int first = arrived - entropies.length;
    List<LabeledSample> window = stream.subList(first, arrived);
    int[] predicted = victim.network().predict(window);
    boolean[][] flags = inClassFlags(victim, split, window, poisoned, first, settings, version, inClass);
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.write('\n');
      for (int i = 0; i < entropies.length; i++) {
        LabeledSample sample = stream.get(first + i);
        out.write(String.format(Locale.ROOT, "%d,%s,%d,%.6e,%d,%d,%d", first + i, sample.getId(), sample.getLabel(),
            entropies[i], predicted[i], reference == null ? -1 : reference[i], poisoned[first + i] ? 1 : 0));
        for (boolean[] f : flags) {
          out.write(f[i] ? ",1" : ",0");
        }
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }

  /**
   * Fits each candidate on the window with this version's Victim and returns its flags; adds one
   * line per candidate to {@code lines}: recall and FPR over the window of the test alone and of
   * the entropy split together with it, how many classes it flagged, and how long the fit took.
   */
  private static boolean[][] inClassFlags(VictimTraining victim, VictimTraining.Split split, List<LabeledSample> window,
      boolean[] poisoned, int first, InClassTest.Settings settings, int version, List<String> lines) {
    int n = window.size();
    int[] labels = new int[n];
    boolean[] truth = new boolean[n];
    boolean[] byEntropy = new boolean[n];
    for (int i = 0; i < n; i++) {
      labels[i] = window.get(i).getLabel();
      truth[i] = poisoned[first + i];
      byEntropy[i] = split.rule().judge(split.entropies()[i], labels[i], version).suspect();
    }
    long started = System.nanoTime();
    DecoupledNetwork parts = DecoupledNetwork.of(victim.network());
    int width = parts.featureWidth();
    float[] features = parts.featuresNoGrad(ImageTensors.chwBatch(window, victim.network().architecture()), n,
        Network.CHUNK);
    double featureSeconds = (System.nanoTime() - started) / 1e9;
    boolean[][] out = new boolean[IN_CLASS_CANDIDATES.size()][n];
    Detection entropyAlone = Detection.of(byEntropy, truth, null);
    for (int t = 0; t < IN_CLASS_CANDIDATES.size(); t++) {
      InClassTest test = IN_CLASS_CANDIDATES.get(t);
      long fitStarted = System.nanoTime();
      InClassTest.Fit fit = test.fit(features, width, labels, split.entropies(),
          victim.network().architecture().numClasses(), settings);
      double fitSeconds = (System.nanoTime() - fitStarted) / 1e9;
      boolean[] either = new boolean[n];
      for (int i = 0; i < n; i++) {
        out[t][i] = fit.test().outlier(fit.test().score(features, i * width, labels[i]), labels[i]);
        either[i] = out[t][i] || byEntropy[i];
      }
      Detection alone = Detection.of(out[t], truth, null);
      Detection both = Detection.of(either, truth, null);
      lines.add(String.format(Locale.ROOT, "  v%d window %d: in-class %-10s alone recall %.3f FPR %.4f | entropy split "
          + "recall %.3f FPR %.4f | both recall %.3f FPR %.4f | %d classes flagged | features %.1f s, fit %.2f s | %s",
          version, n, test.id(), alone.recall(), alone.fpr(), entropyAlone.recall(), entropyAlone.fpr(), both.recall(),
          both.fpr(), fit.test().flaggedClasses(), featureSeconds, fitSeconds, fit.describe()));
    }
    return out;
  }
}

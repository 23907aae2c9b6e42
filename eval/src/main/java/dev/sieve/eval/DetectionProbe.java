package dev.sieve.eval;

import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.eval.metrics.Detection;
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
      List<Path> windows, double seconds) {

    public String summaryLine() {
      return String.format(Locale.ROOT, "%s: %d samples, %d poisoned, %d versions | on arrival recall %.3f FPR %.4f "
          + "| after re-check recall %.3f FPR %.4f | %.0f s", cell, samples, poisoned, versions, onArrival.recall(),
          onArrival.fpr(), afterRecheck.recall(), afterRecheck.fpr(), seconds);
    }
  }

  static final String HEADER = "index,id,label,entropy,victim,reference,poisoned";

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
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    OfflineFilter.Outcome outcome = OfflineFilter.run(stream, plan.withSeed(cell.seed()), policy,
        (version, arrived, victim, split) -> windows.add(write(dir.resolve(String.format(Locale.ROOT, "v%02d.csv",
            version)), stream, poisoned, arrived, victim, split)));
    try {
      return new Result(cell.name(), stream.size(), data.poisonedCount(), outcome.versions(),
          Detection.of(outcome.quarantinedOnArrival(), poisoned, null),
          Detection.of(outcome.excluded(), poisoned, Detection.suspicion(outcome.finalEntropies())), List.copyOf(windows),
          (System.nanoTime() - started) / 1e9);
    } finally {
      outcome.victim().close();
    }
  }

  /** The window of one version: the last {@code split.entropies().length} of the {@code arrived} samples. */
  private static Path write(Path file, List<LabeledSample> stream, boolean[] poisoned, int arrived,
      VictimTraining victim, VictimTraining.Split split) {
    double[] entropies = split.entropies();
    int[] reference = split.referencePredictions();
    int first = arrived - entropies.length;
    int[] predicted = victim.network().predict(stream.subList(first, arrived));
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.write('\n');
      for (int i = 0; i < entropies.length; i++) {
        LabeledSample sample = stream.get(first + i);
        out.write(String.format(Locale.ROOT, "%d,%s,%d,%.6e,%d,%d,%d%n", first + i, sample.getId(), sample.getLabel(),
            entropies[i], predicted[i], reference == null ? -1 : reference[i], poisoned[first + i] ? 1 : 0));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }
}

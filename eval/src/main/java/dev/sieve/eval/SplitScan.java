package dev.sieve.eval;

import dev.sieve.eval.metrics.Detection;
import dev.sieve.model.defense.split.ClassMixtureSplit;
import dev.sieve.model.defense.split.WindowScores;
import dev.sieve.model.scoring.SplitRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.stream.Stream;

/**
 * The sensitivity of the class-mixture split to each of its thresholds, computed on the tables
 * {@code ./sieve probe} wrote, without training again: every Victim version's window is split by
 * the production rule ({@link ClassMixtureSplit#detection}) under each setting, and the recall and
 * false-positive rate of that window are collected. One threshold moves at a time, the others stay
 * at their defaults, so each row says what that one constant buys and costs.
 *
 * <p>The reference model's classes are the ones recorded in the tables, so a scan measures the
 * thresholds of the rule that made them; the reference's own training is not rescanned.
 */
public final class SplitScan {

  /** One window: a Victim version's scores over its window, and the truth. */
  public record Window(String name, WindowScores scores, boolean[] poisoned) {}

  /**
   * A setting's outcome over all windows.
   *
   * @param falseClassSplits split classes, over all windows, whose quarantined samples are mostly clean
   */
  public record Row(String parameter, double value, double medianRecall, double minRecall, double medianFpr,
      double maxFpr, int falseClassSplits) {}

  private SplitScan() {}

  /** Reads every {@code draw-*}/{@code v*.csv} under {@code dir}, in name order. */
  public static List<Window> read(Path dir) {
    List<Path> tables;
    try (Stream<Path> files = Files.walk(dir, 2)) {
      tables = files.filter(p -> p.getFileName().toString().matches("v\\d+\\.csv")
          && p.getParent().getFileName().toString().startsWith("draw-")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list probe tables under " + dir, e);
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("no probe tables (draw-*/vNN.csv) under " + dir + "; make them with ./sieve probe");
    }
    List<Window> out = new ArrayList<>();
    for (Path table : tables) {
      out.add(readTable(table, dir.relativize(table).toString()));
    }
    return out;
  }

  static Window readTable(Path table, String name) {
    List<String> lines;
    try {
      lines = Files.readAllLines(table);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + table, e);
    }
    // Tables written before the in-class columns existed have the first seven columns only.
    if (lines.isEmpty() || !(lines.get(0).equals(DetectionProbe.HEADER) || lines.get(0).equals(DetectionProbe.BASE_HEADER))) {
      throw new IllegalArgumentException(table + " is not a probe table: its header is not '" + DetectionProbe.HEADER + "'");
    }
    int fields = lines.get(0).split(",").length;
    int n = lines.size() - 1;
    double[] entropies = new double[n];
    int[] labels = new int[n];
    int[] reference = new int[n];
    boolean[] poisoned = new boolean[n];
    int numClasses = 0;
    for (int i = 0; i < n; i++) {
      String[] f = lines.get(i + 1).split(",");
      if (f.length != fields) {
        throw new IllegalArgumentException(table + " line " + (i + 2) + ": expected " + fields + " fields, got " + f.length);
      }
      labels[i] = Integer.parseInt(f[2]);
      entropies[i] = Double.parseDouble(f[3]);
      reference[i] = Integer.parseInt(f[5]);
      poisoned[i] = f[6].equals("1");
      numClasses = Math.max(numClasses, Math.max(labels[i], Math.max(Integer.parseInt(f[4]), reference[i])) + 1);
    }
    return new Window(name, new WindowScores(entropies, labels, numClasses, reference), poisoned);
  }

  /**
   * The scan: the defaults, then each threshold over its values with the others at their defaults.
   * {@code base} is the rule whose thresholds are moved.
   */
  public static List<Row> scan(List<Window> windows, ClassMixtureSplit rule) {
    ClassMixtureSplit base = rule.quiet();
    ClassMixtureSplit.Thresholds d = base.thresholds();
    List<Row> rows = new ArrayList<>();
    rows.add(row(windows, base, "defaults", Double.NaN));
    scanOne(rows, windows, base, "gap", new double[] {1.0, 1.5, 2.0, 2.5, 3.0}, d::withMinGapDecades);
    scanOne(rows, windows, base, "disagreement", new double[] {0.1, 0.2, 0.3, 0.45, 0.6}, d::withMinDisagreement);
    scanOne(rows, windows, base, "narrow-gap", new double[] {0.5, 0.75, 1.0, 1.25, 1.5}, d::withNarrowMinGapDecades);
    scanOne(rows, windows, base, "narrow-disagreement", new double[] {0.4, 0.5, 0.6, 0.7, 0.8},
        d::withNarrowMinDisagreement);
    scanOne(rows, windows, base, "posterior", new double[] {0.01, 0.05, 0.2, 0.5}, d::withSuspectPosterior);
    scanOne(rows, windows, base, "excess", new double[] {-1, 0.1, 0.2, 0.25, 0.3, 0.4}, d::withMinExcess);
    return rows;
  }

  private static void scanOne(List<Row> rows, List<Window> windows, ClassMixtureSplit base, String parameter,
      double[] values, DoubleFunction<ClassMixtureSplit.Thresholds> setting) {
    for (double v : values) {
      rows.add(row(windows, base.withThresholds(setting.apply(v)), parameter, v));
    }
  }

  private static Row row(List<Window> windows, ClassMixtureSplit rule, String parameter, double value) {
    double[] recalls = new double[windows.size()];
    double[] fprs = new double[windows.size()];
    int falseSplits = 0;
    int withPoison = 0;
    for (int w = 0; w < windows.size(); w++) {
      Window window = windows.get(w);
      WindowScores s = window.scores();
      SplitRule split = rule.detection(s, 0);
      boolean[] suspect = new boolean[s.labels().length];
      int[] cleanSuspects = new int[s.numClasses()];
      int[] poisonedSuspects = new int[s.numClasses()];
      for (int i = 0; i < suspect.length; i++) {
        suspect[i] = split.judge(s.entropies()[i], s.labels()[i], 0).suspect();
        if (suspect[i]) {
          (window.poisoned()[i] ? poisonedSuspects : cleanSuspects)[s.labels()[i]]++;
        }
      }
      Detection detection = Detection.of(suspect, window.poisoned(), null);
      for (int c = 0; c < s.numClasses(); c++) {
        // A split class whose quarantine is mostly clean: the rule found the wrong cluster, even
        // where the class does carry (unlearnt) poison elsewhere in its entropy range.
        falseSplits += split.threshold(c) >= 0 && cleanSuspects[c] > poisonedSuspects[c] ? 1 : 0;
      }
      // A window without poison has no recall (NaN): it counts for FPR only.
      if (detection.poisoned() > 0) {
        recalls[withPoison++] = detection.recall();
      }
      fprs[w] = detection.fpr();
    }
    double[] r = Arrays.copyOf(recalls, withPoison);
    return new Row(parameter, value, median(r), r.length == 0 ? Double.NaN : Arrays.stream(r).min().orElseThrow(),
        median(fprs), Arrays.stream(fprs).max().orElse(Double.NaN), falseSplits);
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  /** The scan as a Markdown table, for docs/split-rule.md. */
  public static String markdown(List<Row> rows, int windows) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%d windows (Victim versions); one threshold moved at a time, the others at "
        + "their defaults%n%n", windows));
    out.append("| threshold | value | recall (median) | recall (lowest) | FPR (median) | FPR (highest) | false class splits |\n");
    out.append("|---|---|---|---|---|---|---|\n");
    for (Row row : rows) {
      out.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.4f | %.4f | %d |%n", row.parameter(),
          Double.isNaN(row.value()) ? "" : String.format(Locale.ROOT, "%.2f", row.value()), row.medianRecall(),
          row.minRecall(), row.medianFpr(), row.maxFpr(), row.falseClassSplits()));
    }
    return out.toString();
  }
}

package dev.sieve.eval;

import dev.sieve.eval.metrics.Detection;
import dev.sieve.eval.metrics.Roc;
import dev.sieve.eval.report.Charts;
import dev.sieve.eval.report.HtmlReport;
import dev.sieve.eval.report.JsonReport;
import dev.sieve.eval.report.RunEnvironment;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code index.html}, {@code results.json} and the PNG plots of an evaluation into one
 * directory. It is called after every cell, so an interrupted matrix still leaves a report of the
 * cells that finished.
 */
public final class ReportWriter {

  /** The per-sample arrays of one offline cell, for its plots; not part of the JSON. */
  public record CellPlots(CellResult cell, double[] finalEntropies, boolean[] poisoned, boolean[] quarantinedOnArrival) {}

  /** A streaming cell and its per-sample verdict entropies and ground truth, for the plots. */
  public record StreamingRun(StreamingCell cell, double[] entropies, boolean[] poisoned) {}

  /** What results.json holds; {@code environment} is the commit and machine that produced it. */
  public record Json(String command, Instant generatedAt, RunEnvironment environment, Map<String, Object> settings,
      List<Aggregate> summary, List<CellResult> cells, List<StreamingCell> streaming) {}

  /**
   * V&amp;B's recipe as its reference code does it, run independently on the same data (quoted from
   * the issue that asked for this harness): the bar Sieve has to clear. Columns: attack (rate),
   * undefended CA / ASR, recall, FPR, AUROC, Beneficiary CA / ASR.
   */
  private static final List<List<String>> PAPER_RECIPE = List.of(
      List.of("BadNets 3×3 (10 %)", "0.905 / 0.999", "0.99", "0.70", "0.91", "0.80 / 0.67"),
      List.of("BadNets 3×3 (1 %)", "0.909 / 0.994", "0.95", "0.69", "0.76", "0.84 / 0.22"),
      List.of("Blend α 0.2 (10 %)", "0.902 / 0.996", "0.98", "0.67", "0.66", "0.82 / 0.77"),
      List.of("WaNet (10 %)", "0.901 / 0.987", "0.78", "0.63", "0.54", "0.76 / 0.43"),
      List.of("SIG (10 % of the target class)", "0.909 / 0.046", "–", "–", "–", "–"),
      List.of("SIG (50 % of the target class)", "0.901 / 0.233", "0.90", "0.68", "0.60", "0.84 / 0.16"));

  private final Path dir;
  private final String command;
  private final Map<String, Object> settings;
  private final RunEnvironment environment = RunEnvironment.current();

  public ReportWriter(Path dir, String command, EvalSettings settings) {
    this.dir = dir;
    this.command = command;
    this.settings = describe(settings);
  }

  public Path dir() {
    return dir;
  }

  public void write(List<CellPlots> offline, List<StreamingRun> streaming) {
    List<CellResult> cells = offline.stream().map(CellPlots::cell).toList();
    List<Aggregate> summary = Aggregate.of(cells);
    JsonReport.write(dir.resolve("results.json"), new Json(command, Instant.now(), environment, settings, summary, cells,
        streaming.stream().map(StreamingRun::cell).toList()));

    HtmlReport html = new HtmlReport("Sieve defense evaluation");
    html.paragraph("Fashion-MNIST, all-to-one attacks with target class 0 (T-shirt/top), except zoo draws, whose "
        + "rows name their own targets and rates. Every model is the same small CNN, measured on the 10,000 real test "
        + "images. Regenerate with:");
    html.code(command);
    html.paragraph("Commit " + environment.commit() + " on " + environment.machine().cpuModel() + " ("
        + environment.machine().cores() + " cores, " + environment.machine().os() + " " + environment.machine().arch()
        + ", max heap " + environment.machine().maxHeapBytes() / (1024 * 1024) + " MiB).");
    html.paragraph("Settings: " + settings);
    headline(html, summary);
    matrix(html, summary);
    detection(html, cells);
    defenses(html, cells);
    streaming(html, streaming);
    plots(html, offline, streaming, summary);
    html.heading("The bar: V&B's recipe as its reference code does it, on the same data");
    html.paragraph("An independent run before Sieve existed: fixed thresholds 0.6 then 0.2 on min-max normalised "
        + "entropy, Beneficiary on credible samples only without AttentionMix or suppression.");
    html.table(List.of("attack (rate)", "undefended CA / ASR", "recall", "FPR", "AUROC", "Beneficiary CA / ASR"),
        PAPER_RECIPE);
    html.write(dir.resolve("index.html"));
  }

  private void headline(HtmlReport html, List<Aggregate> summary) {
    html.heading("Summary: mean ± std over seeds");
    html.paragraph("Detection columns are the last Victim version's verdicts over the whole stream (what the "
        + "Beneficiary excludes after its window re-check). DER is against the undefended model of the same seed: "
        + "[max(0, ΔASR) − max(0, ΔCA) + 1] / 2.");
    List<List<String>> rows = new ArrayList<>();
    for (Aggregate a : summary) {
      for (Map.Entry<String, Aggregate.DefenseStats> d : a.defenses().entrySet()) {
        Aggregate.DefenseStats s = d.getValue();
        rows.add(List.of(a.attack(), pct(a.rate()), Integer.toString(a.seeds()), d.getKey(), pm(s.cleanAccuracy()),
            pm(s.attackSuccessRate()), pm(s.robustAccuracy()), pm(s.der()), pm(a.recall()), pm(a.fpr()),
            pm(a.precision()), pm(a.auroc())));
      }
    }
    html.table(List.of("attack", "rate", "seeds", "defense", "CA", "ASR", "RA", "DER", "recall", "FPR",
        "precision", "AUROC"), rows);
  }

  /**
   * BackdoorBench's view: one row per defense, one column per attack and rate, each cell "CA /
   * ASR" (means over seeds), with DER in a second table. Also written as {@code matrix.md} so
   * the docs can quote it as it was generated.
   */
  private void matrix(HtmlReport html, List<Aggregate> summary) {
    List<String> header = new ArrayList<>(List.of("defense"));
    for (Aggregate a : summary) {
      header.add(a.attack() + " " + pct(a.rate()));
    }
    List<List<String>> quality = new ArrayList<>();
    List<List<String>> der = new ArrayList<>();
    for (Defense d : Defense.values()) {
      List<String> q = new ArrayList<>(List.of(d.id()));
      List<String> r = new ArrayList<>(List.of(d.id()));
      boolean any = false;
      for (Aggregate a : summary) {
        Aggregate.DefenseStats s = a.defenses().get(d.id());
        any |= s != null;
        q.add(s == null ? "–" : f(s.cleanAccuracy().mean()) + " / " + f(s.attackSuccessRate().mean()) + " / "
            + f(s.robustAccuracy().mean()));
        r.add(s == null ? "–" : f(s.der().mean()));
      }
      if (any) {
        quality.add(q);
        der.add(r);
      }
    }
    html.heading("Defenses × attacks (BackdoorBench view)");
    html.paragraph("Each cell: CA / ASR / RA, means over seeds.");
    html.table(header, quality);
    html.paragraph("DER against the undefended model of the same cell (0.5 = no change).");
    html.table(header, der);
    StringBuilder md = new StringBuilder();
    md.append("Generated by:\n\n```\n").append(command).append("\n```\n\n");
    md.append("CA / ASR / RA per defense and attack (means over seeds):\n\n");
    markdown(md, header, quality);
    md.append("\nDER against the undefended model (0.5 = no change):\n\n");
    markdown(md, header, der);
    try {
      java.nio.file.Files.createDirectories(dir);
      java.nio.file.Files.writeString(dir.resolve("matrix.md"), md.toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + dir.resolve("matrix.md"), e);
    }
  }

  private static void markdown(StringBuilder md, List<String> header, List<List<String>> rows) {
    md.append("| ").append(String.join(" | ", header)).append(" |\n");
    md.append("|").append("---|".repeat(header.size())).append("\n");
    for (List<String> row : rows) {
      md.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
  }

  private void detection(HtmlReport html, List<CellResult> cells) {
    html.heading("Filter verdicts per cell");
    html.paragraph("On arrival: each sample judged by the Victim version current when it arrived, as the topology "
        + "routes it. After re-check: flagged on arrival or by the last version.");
    List<List<String>> rows = new ArrayList<>();
    for (CellResult c : cells) {
      rows.add(List.of(c.attack(), pct(c.rate()), Long.toString(c.seed()), Integer.toString(c.poisoned()),
          f(c.onArrival().recall()), f(c.onArrival().fpr()), f(c.onArrival().precision()),
          f(c.afterRecheck().recall()), f(c.afterRecheck().fpr()), f(c.afterRecheck().precision()),
          f(c.afterRecheck().auroc()), Integer.toString(c.victimVersions()),
          String.format(Locale.ROOT, "%.0f", c.filterSamplesPerSecond()), String.format(Locale.ROOT, "%.0f", c.wallSeconds())));
    }
    html.table(List.of("attack", "rate", "seed", "poisoned", "recall (arrival)", "FPR (arrival)",
        "precision (arrival)", "recall (re-check)", "FPR (re-check)", "precision (re-check)", "AUROC",
        "Victim versions", "filter samples/s", "cell wall s"), rows);
  }

  private void defenses(HtmlReport html, List<CellResult> cells) {
    html.heading("Models per cell");
    html.paragraph("For a detox row (base+method), labelled is the size of its clean set and train s the detox time; "
        + "for dbd, labelled and unlabelled are its own split (the low-loss share keeps its labels).");
    List<List<String>> rows = new ArrayList<>();
    for (CellResult c : cells) {
      for (DefenseResult d : c.defenses()) {
        rows.add(List.of(c.attack(), pct(c.rate()), Long.toString(c.seed()), d.defense(),
            f(d.quality().cleanAccuracy()), f(d.quality().attackSuccessRate()), f(d.quality().robustAccuracy()),
            f(d.der()), Integer.toString(d.labelled()), Integer.toString(d.unlabelled()),
            String.format(Locale.ROOT, "%.0f", d.trainSeconds()), String.format(Locale.ROOT, "%.0f", d.samplesPerSecond())));
      }
    }
    html.table(List.of("attack", "rate", "seed", "defense", "CA", "ASR", "RA", "DER", "labelled", "unlabelled",
        "train s", "samples/s"), rows);
  }

  private void streaming(HtmlReport html, List<StreamingRun> runs) {
    if (runs.isEmpty()) {
      return;
    }
    html.heading("Through the real streaming path");
    html.paragraph("Embedded Kafka broker, the Streams topology with exactly-once, the Victim updater and the "
        + "streaming Beneficiary, as ./sieve demo runs them. Detection is by the verdicts on the credible and "
        + "quarantine topics (recall at first judgement), and again once the last Victim version has re-judged what "
        + "earlier ones released and retracted what it now calls suspect; the Beneficiary is measured after it "
        + "drained the credible topic and applied the retractions.");
    List<List<String>> rows = new ArrayList<>();
    for (StreamingRun r : runs) {
      StreamingCell c = r.cell();
      rows.add(List.of(c.attack(), pct(c.rate()), Long.toString(c.seed()), Integer.toString(c.samples()),
          f(c.detection().recall()), Long.toString(c.retractions()), f(c.recallAfterRetractions()), f(c.detection().fpr()), f(c.detection().precision()), f(c.detection().auroc()),
          f(c.beneficiary().cleanAccuracy()), f(c.beneficiary().attackSuccessRate()),
          f(c.beneficiary().robustAccuracy()), Integer.toString(c.victimVersions()),
          String.format(Locale.ROOT, "%.0f", c.samplesPerSecond()), String.format(Locale.ROOT, "%.0f", c.latencyP50Ms()),
          String.format(Locale.ROOT, "%.0f", c.latencyP99Ms()), String.format(Locale.ROOT, "%.0f", c.wallSeconds())));
    }
    html.table(List.of("attack", "rate", "seed", "samples", "recall", "retractions", "recall after retractions", "FPR",
        "precision", "AUROC", "Beneficiary CA", "Beneficiary ASR", "Beneficiary RA", "Victim versions", "samples/s", "latency p50 ms",
        "latency p99 ms", "wall s"), rows);
  }

  private void plots(HtmlReport html, List<CellPlots> offline, List<StreamingRun> streaming, List<Aggregate> summary) {
    html.heading("Plots");
    // One plot per (attack, rate): the first seed stands for the group.
    Map<String, CellPlots> firstOfGroup = new LinkedHashMap<>();
    for (CellPlots p : offline) {
      firstOfGroup.putIfAbsent(p.cell().attack() + "@" + p.cell().rate(), p);
    }
    Map<String, Roc.Curve> curves = new LinkedHashMap<>();
    Map<String, double[][]> quarantine = new LinkedHashMap<>();
    for (Map.Entry<String, CellPlots> e : firstOfGroup.entrySet()) {
      CellPlots p = e.getValue();
      String name = slug(e.getKey());
      String label = p.cell().attack() + " " + pct(p.cell().rate());
      if (p.cell().poisoned() > 0) {
        String png = "entropy-" + name + ".png";
        Charts.histogram(dir.resolve(png), "Last Victim's entropy: " + label, "log10 entropy",
            split(p.finalEntropies(), p.poisoned()), 60, true);
        html.image(png, "Entropy of poisoned vs clean samples under the last Victim version, " + label);
        curves.put(label, Roc.curve(Detection.suspicion(p.finalEntropies()), p.poisoned()));
      }
      quarantine.put(label, quarantineByPoll(p.quarantinedOnArrival()));
      String png = "curves-" + name + ".png";
      Map<String, double[][]> series = new LinkedHashMap<>();
      for (DefenseResult d : p.cell().defenses()) {
        if (d.curve().isEmpty()) {
          continue; // a detox row has no epochs to plot
        }
        series.put(d.defense() + " CA", curve(d.curve(), true));
        series.put(d.defense() + " ASR", curve(d.curve(), false));
      }
      Charts.lines(dir.resolve(png), "Training curves: " + label, "epoch", "accuracy / ASR on the test set", series);
      html.image(png, "Clean accuracy and attack success rate after each epoch, per defense, " + label);
    }
    if (!curves.isEmpty()) {
      Charts.roc(dir.resolve("roc.png"), "ROC of the last Victim's entropy (lower = suspect)", curves);
      html.image("roc.png", "ROC curves of the detection score, one per attack and rate");
    }
    if (!offline.isEmpty()) {
      Charts.lines(dir.resolve("quarantine-offline.png"), "Quarantine rate on arrival (offline stream)",
          "samples seen", "share quarantined per " + OfflineFilter.POLL + " samples", quarantine);
      html.image("quarantine-offline.png", "Share of each poll of " + OfflineFilter.POLL
          + " samples quarantined by the Victim version current when it arrived");
      List<String> categories = new ArrayList<>();
      Map<String, double[]> asr = new LinkedHashMap<>();
      for (Aggregate a : summary) {
        categories.add(a.attack() + " " + pct(a.rate()));
      }
      for (Defense d : Defense.values()) {
        double[] values = new double[summary.size()];
        boolean any = false;
        for (int i = 0; i < summary.size(); i++) {
          Aggregate.DefenseStats s = summary.get(i).defenses().get(d.id());
          values[i] = s == null ? Double.NaN : s.attackSuccessRate().mean();
          any |= s != null;
        }
        if (any) {
          asr.put(d.id(), values);
        }
      }
      Charts.bars(dir.resolve("asr.png"), "Attack success rate per defense", "ASR", categories, asr);
      html.image("asr.png", "Mean attack success rate per attack, rate and defense");
    }
    if (!streaming.isEmpty()) {
      Map<String, double[][]> rates = new LinkedHashMap<>();
      for (StreamingRun r : streaming) {
        String label = r.cell().attack() + " " + pct(r.cell().rate());
        double[][] xy = new double[2][r.cell().quarantineRate().size()];
        for (int i = 0; i < xy[0].length; i++) {
          xy[0][i] = r.cell().quarantineRate().get(i)[0];
          xy[1][i] = r.cell().quarantineRate().get(i)[1];
        }
        rates.put(label, xy);
        String png = "entropy-stream-" + slug(label) + ".png";
        Charts.histogram(dir.resolve(png), "Verdict entropy in the stream: " + label, "log10 entropy",
            split(r.entropies(), r.poisoned()), 60, true);
        html.image(png, "Entropy in the verdicts of the streaming path, poisoned vs clean, " + label);
      }
      Charts.lines(dir.resolve("quarantine-stream.png"), "Quarantine rate over time (streaming path)",
          "seconds since the first verdict", "share quarantined", rates);
      html.image("quarantine-stream.png", "Share of verdicts that went to quarantine over time in the stream");
    }
  }

  private static Map<String, double[]> split(double[] values, boolean[] poisoned) {
    List<Double> clean = new ArrayList<>();
    List<Double> bad = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      // log10 of an entropy of exactly 0 is -inf: floor it at 1e-16, about the rounding error of
      // an entropy near 1, so the axis stays readable.
      double v = Math.max(values[i], 1e-16);
      (poisoned[i] ? bad : clean).add(v);
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    out.put("clean (" + clean.size() + ")", clean.stream().mapToDouble(Double::doubleValue).toArray());
    out.put("poisoned (" + bad.size() + ")", bad.stream().mapToDouble(Double::doubleValue).toArray());
    return out;
  }

  private static double[][] quarantineByPoll(boolean[] quarantined) {
    int polls = (quarantined.length + OfflineFilter.POLL - 1) / OfflineFilter.POLL;
    double[][] xy = new double[2][polls];
    for (int p = 0; p < polls; p++) {
      int from = p * OfflineFilter.POLL;
      int to = Math.min(quarantined.length, from + OfflineFilter.POLL);
      int q = 0;
      for (int i = from; i < to; i++) {
        q += quarantined[i] ? 1 : 0;
      }
      xy[0][p] = to;
      xy[1][p] = (double) q / (to - from);
    }
    return xy;
  }

  private static double[][] curve(List<EpochPoint> points, boolean accuracy) {
    double[][] xy = new double[2][points.size()];
    for (int i = 0; i < points.size(); i++) {
      xy[0][i] = i + 1;
      xy[1][i] = accuracy ? points.get(i).cleanAccuracy() : points.get(i).attackSuccessRate();
    }
    return xy;
  }

  private static Map<String, Object> describe(EvalSettings s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("firstImage", s.firstImage());
    out.put("samples", s.samples());
    out.put("baselineEpochs", s.baselineEpochs());
    out.put("beneficiaryPlan", s.plan());
    out.put("recipe", s.recipe());
    out.put("splitPolicy", s.splitPolicy());
    out.put("victimWarmupSamples", s.victim().warmupSamples());
    out.put("victimBootstrapRounds", s.victim().bootstrapRounds());
    out.put("victimRetrainEvery", s.victim().retrainEvery());
    out.put("victimWindow", s.victim().windowSize());
    out.put("batchSize", s.batchSize());
    out.put("learningRate", s.learningRate());
    out.put("defenses", s.defenses().stream().map(Defense::id).toList());
    out.put("dbd", s.dbd());
    out.put("detox", s.detox());
    out.put("detoxCleanShare", s.detoxCleanShare());
    return out;
  }

  static String slug(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("(^-|-$)", "");
  }

  private static String pct(double rate) {
    return String.format(Locale.ROOT, "%s %%", trim(rate * 100));
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String f(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String pm(Aggregate.Stat s) {
    if (Double.isNaN(s.mean())) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.4f ± %.4f", s.mean(), s.std());
  }
}

package dev.sieve.cli;

import dev.sieve.attack.zoo.Zoo;
import dev.sieve.attack.zoo.ZooDraw;
import dev.sieve.data.FashionMnist;
import dev.sieve.eval.DetectionProbe;
import dev.sieve.eval.EvalMatrix;
import dev.sieve.eval.SplitScan;
import dev.sieve.model.defense.split.ClassMixtureSplit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "probe", mixinStandardHelpOptions = true,
    description = {
        "Research on split rules: runs the offline filter (the Victim and its split, no Beneficiary) on zoo draws",
        "and writes every Victim version's window as CSV (index, id, label, entropy, victim, reference, poisoned), so",
        "that candidate rules and threshold scans can be computed on the tables without training again.",
        "Tune on images 0-29,999 only; the report seed in docs/evaluation.md is not for probing."})
final class ProbeCommand implements Callable<Integer> {

  /** Images from here on are the report's (docs/evaluation.md): a probe is tuning, so it stays below. */
  static final int FIRST_REPORT_IMAGE = 30_000;

  @Mixin FilterOptions filter;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Directory with the Fashion-MNIST IDX files (default: $$SIEVE_FASHION_MNIST or "
          + "/usr/share/datasets/fashion-mnist).")
  String dataDir;

  @Option(names = "--first-image", defaultValue = "0", paramLabel = "N",
      description = "First training image each draw streams (default: ${DEFAULT-VALUE}).")
  int firstImage;

  @Option(names = "--samples", defaultValue = "30000", paramLabel = "N",
      description = "Images each draw streams; with --first-image they must stay below image 30,000, the report's "
          + "(default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--zoo-seed", paramLabel = "S", description = "The zoo to draw from (or --cells, or --scan).")
  Long zooSeed;

  @Option(names = "--cells", split = ",", paramLabel = "ATTACK:RATE[:SEEDS]",
      description = "Named attacks instead of zoo draws, as in eval (e.g. badnets-3x3:0.1,blend-0.2:0.1), so that the "
          + "cells a rule was first tuned on are probed beside the zoo.")
  List<String> cells;

  @Option(names = "--scan", paramLabel = "DIR",
      description = "Train nothing: read the tables an earlier probe wrote to DIR and print how recall, FPR and false "
          + "class splits move with each threshold of the class-mixture split (--split-* options: the base), "
          + "also written to DIR/scan.md.")
  Path scan;

  @Option(names = "--count", defaultValue = "5", paramLabel = "N",
      description = "How many draws, from --from-index on (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--from-index", defaultValue = "0", paramLabel = "I", description = "First draw (default: ${DEFAULT-VALUE}).")
  int fromIndex;

  @Option(names = "--out", paramLabel = "DIR", description = "Where the tables go (default: .sieve/probe/<timestamp>).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (scan != null) {
      return scan();
    }
    boolean named = cells != null && !cells.isEmpty();
    if ((zooSeed == null) == !named) {
      throw new IllegalArgumentException("a probe needs either --zoo-seed S or --cells (or --scan DIR to read an "
          + "earlier probe's tables)");
    }
    if (count < 1 || fromIndex < 0) {
      throw new IllegalArgumentException("need --count >= 1 and --from-index >= 0, got " + count + " and " + fromIndex);
    }
    if (firstImage < 0 || samples < 1 || (long) firstImage + samples > FIRST_REPORT_IMAGE) {
      throw new IllegalArgumentException("a probe streams images from --first-image " + firstImage + " for --samples "
          + samples + ": they must lie in 0-29,999. Images 30,000-59,999 are kept for the report (docs/evaluation.md), "
          + "and probing them would be tuning on the report set");
    }
    Path dir = out != null ? out
        : Path.of(".sieve", "probe", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Files.createDirectories(dir);
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(dataDir));
    Path summary = dir.resolve("summary.txt");
    List<Probed> probes = new ArrayList<>();
    if (named) {
      for (EvalMatrix.Cell cell : EvalMatrix.parse(cells).cells()) {
        probes.add(new Probed(cell, cell.label().replaceAll("[^A-Za-z0-9.@#-]", "_"), cell.name()));
      }
    } else {
      Zoo zoo = new Zoo(zooSeed);
      for (int i = fromIndex; i < fromIndex + count; i++) {
        ZooDraw draw = zoo.draw(i);
        probes.add(new Probed(new EvalMatrix.Cell(draw.spec(), draw.totalRate(), 1), String.valueOf(i),
            draw.spec() + "  " + draw.description()));
      }
    }
    for (int i = 0; i < probes.size(); i++) {
      Probed probe = probes.get(i);
      System.out.printf(Locale.ROOT, "probe %d/%d: %s%n", i + 1, probes.size(), probe.description());
      DetectionProbe.Result result = DetectionProbe.run(train, firstImage, samples, probe.cell(), filter.victimPlan(),
          filter.splitPolicy(), dir.resolve("draw-" + probe.dirName()));
      String line = result.summaryLine() + "  (" + probe.description() + ")";
      System.out.println(line);
      Files.writeString(summary, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    System.out.println("probe: tables in " + dir.toAbsolutePath());
    return 0;
  }

  /** One probe run: the cell, its table directory's suffix, and what the progress line calls it. */
  private record Probed(EvalMatrix.Cell cell, String dirName, String description) {}

  private int scan() throws IOException {
    if (!(filter.splitPolicy() instanceof ClassMixtureSplit base)) {
      throw new IllegalArgumentException("--scan moves the class-mixture split's thresholds; --split " + filter.split
          + " has none");
    }
    List<SplitScan.Window> windows = SplitScan.read(scan);
    System.out.printf(Locale.ROOT, "scan: %d windows from %s%n", windows.size(), scan.toAbsolutePath());
    String table = SplitScan.markdown(SplitScan.scan(windows, base), windows.size());
    System.out.print(table);
    Files.writeString(scan.resolve("scan.md"), table, StandardCharsets.UTF_8);
    System.out.println("scan: written to " + scan.resolve("scan.md").toAbsolutePath());
    return 0;
  }
}

package dev.sieve.eval;

import dev.sieve.data.FashionMnist;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a matrix of cells offline, one after the other (training steps cannot overlap in one JVM),
 * and hands the results so far to a callback after every cell, so the report grows as it runs.
 */
public final class OfflineEvaluation {

  private static final Logger LOG = LoggerFactory.getLogger(OfflineEvaluation.class);

  private final FashionMnist.Split train;
  private final FashionMnist.Split test;
  private final EvalSettings settings;

  public OfflineEvaluation(FashionMnist.Split train, FashionMnist.Split test, EvalSettings settings) {
    this.train = train;
    this.test = test;
    this.settings = settings;
  }

  public List<ReportWriter.CellPlots> run(EvalMatrix matrix, Consumer<List<ReportWriter.CellPlots>> afterEachCell) {
    List<ReportWriter.CellPlots> done = new ArrayList<>();
    long started = System.nanoTime();
    try (CellRunner runner = new CellRunner(train, test, settings)) {
      for (EvalMatrix.Cell cell : matrix.cells()) {
        LOG.info("cell {}/{}: {} ({} s elapsed)", done.size() + 1, matrix.cells().size(), cell.label(),
            String.format(Locale.ROOT, "%.0f", (System.nanoTime() - started) / 1e9));
        CellRunner.Output out = runner.run(cell);
        done.add(new ReportWriter.CellPlots(out.result(), out.finalEntropies(), out.poisoned(),
            out.quarantinedOnArrival()));
        afterEachCell.accept(List.copyOf(done));
      }
    }
    return done;
  }
}

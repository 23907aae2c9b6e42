package dev.sieve.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.defense.split.ClassMixtureSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitScanTest {

  /**
   * A probe table: class 0 carries a learnt trigger (a cluster 4.5 decades down that the reference
   * puts in other classes); class 2 is a confusable clean class whose shallow low cluster (0.7
   * decades) the reference mostly puts elsewhere, the trap a loose narrow arm falls into.
   */
  private static void writeTable(Path file, long seed) throws IOException {
    Random random = new Random(seed);
    StringBuilder out = new StringBuilder(DetectionProbe.BASE_HEADER).append('\n');
    for (int i = 0; i < 5000; i++) {
      int label = i % 10;
      int reference = label;
      boolean poisoned = false;
      double decades = -1.5 + 0.3 * random.nextGaussian();
      if (label == 0 && random.nextDouble() < 0.4) {
        poisoned = true;
        decades = -6 + 0.4 * random.nextGaussian();
        reference = 1 + random.nextInt(9);
      } else if (label == 2 && random.nextDouble() < 0.5) {
        decades = -2.2 + 0.15 * random.nextGaussian();
        reference = random.nextDouble() < 0.75 ? 4 : 2;
      }
      out.append(String.format(Locale.ROOT, "%d,s-%d,%d,%.6e,%d,%d,%d%n", i, i, label, Math.pow(10, decades), label,
          reference, poisoned ? 1 : 0));
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, out);
  }

  @Test
  void eachThresholdIsMovedAloneAndTheRowsShowWhatItCosts(@TempDir Path dir) throws IOException {
    writeTable(dir.resolve("draw-0").resolve("v01.csv"), 1);
    writeTable(dir.resolve("draw-1").resolve("v01.csv"), 2);
    List<SplitScan.Window> windows = SplitScan.read(dir);
    assertEquals(2, windows.size());
    List<SplitScan.Row> rows = SplitScan.scan(windows, ClassMixtureSplit.defaults());

    SplitScan.Row defaults = rows.get(0);
    assertEquals("defaults", defaults.parameter());
    assertTrue(defaults.minRecall() >= 0.95, "the learnt trigger is caught: " + defaults);
    assertTrue(defaults.maxFpr() <= 0.005, "the confusable class stays whole: " + defaults);
    assertEquals(0, defaults.falseClassSplits());

    SplitScan.Row looseNarrowArm = row(rows, "narrow-gap", 0.5);
    assertEquals(2, looseNarrowArm.falseClassSplits(), "a half-decade narrow arm splits the confusable class: " + looseNarrowArm);
    assertTrue(looseNarrowArm.medianFpr() > 0.02, looseNarrowArm.toString());
    assertTrue(row(rows, "disagreement", 0.6).minRecall() >= 0.95, "the trigger's cluster is disowned by the reference");
    assertTrue(row(rows, "excess", 0.4).minRecall() >= 0.95,
        "the reference gets class 0's own members right: its baseline is low, the trigger's excess high");
    assertEquals(1 + 4 * 5 + 4 + 6, rows.size(),
        "the defaults, then four thresholds over five values, the posterior over four and the excess over six");
    String table = SplitScan.markdown(rows, windows.size());
    assertTrue(table.contains("| narrow-gap | 0.50 |"), table);
  }

  @Test
  void aDirectoryWithoutTablesOrWithAForeignFileIsRefused(@TempDir Path dir) throws IOException {
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> SplitScan.read(dir));
    assertTrue(empty.getMessage().contains("no probe tables"), empty.getMessage());
    Files.createDirectories(dir.resolve("draw-0"));
    Files.writeString(dir.resolve("draw-0").resolve("v01.csv"), "a,b,c\n1,2,3\n");
    IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> SplitScan.read(dir));
    assertTrue(foreign.getMessage().contains("not a probe table"), foreign.getMessage());
  }

  private static SplitScan.Row row(List<SplitScan.Row> rows, String parameter, double value) {
    return rows.stream().filter(r -> r.parameter().equals(parameter) && r.value() == value).findFirst().orElseThrow();
  }
}

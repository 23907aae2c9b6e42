package dev.sieve.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.training.VictimSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe writes each Victim version's window, row for row, with the truth beside it. */
class DetectionProbeIT {

  @TempDir Path dir;

  @Test
  void everyVersionsWindowIsWrittenWithItsTruth() throws Exception {
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    // The offline filter polls 2,000 samples at a time: a warm-up on the first poll, a round on the second.
    VictimSchedule.Plan plan = VictimSchedule.Plan.defaults().withWarmup(2_000, 1_000).withRetrainEvery(2_000)
        .withWindowSize(2_000).withBootstrapRounds(2);
    DetectionProbe.Result result = DetectionProbe.run(train, 0, 4_000, new EvalMatrix.Cell("badnets-3x3", 0.1, 1),
        plan, SplitPolicies.defaultPolicy(), dir);
    System.out.println(result.summaryLine());

    assertEquals(4_000, result.samples());
    assertEquals(2, result.versions(), "a warm-up and a round");
    assertEquals(result.versions(), result.windows().size(), "one table per version");
    int poisonedRows = 0;
    for (int v = 0; v < 2; v++) {
      List<String> lines = Files.readAllLines(result.windows().get(v));
      assertEquals(DetectionProbe.HEADER, lines.get(0));
      assertEquals(2_000, lines.size() - 1, "rows of v" + (v + 1));
      // A window is the newest samples that had arrived: v1's are images 0-1,999, v2's 2,000-3,999.
      assertEquals(String.valueOf(2_000 * v), lines.get(1).split(",")[0]);
      String[] last = lines.get(2_000).split(",");
      assertEquals(String.valueOf(2_000 * v + 1_999), last[0]);
      assertEquals(String.format("fmnist-train-%06d", Integer.parseInt(last[0])), last[1], "the id is the image's");
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",");
        int victim = Integer.parseInt(f[4]);
        assertTrue(victim >= 0 && victim < 10, line);
        int reference = Integer.parseInt(f[5]);
        assertTrue(reference >= 0 && reference < 10, "the class-mixture split trains a reference model: " + line);
        assertTrue(Double.parseDouble(f[3]) >= 0, line);
        // The in-class candidates' scores follow the ground truth, one finite number each.
        assertEquals(DetectionProbe.HEADER.split(",").length, f.length, line);
        for (int c = 7; c < f.length; c++) {
          assertTrue(Double.isFinite(Double.parseDouble(f[c])), line);
        }
        poisonedRows += "1".equals(f[6]) ? 1 : 0;
      }
    }
    assertEquals(result.poisoned(), poisonedRows, "the two windows hold every sample once, poisoned ones marked");
  }
}

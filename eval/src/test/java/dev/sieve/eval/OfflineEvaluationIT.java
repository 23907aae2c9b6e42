package dev.sieve.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.data.FashionMnist;
import dev.sieve.eval.metrics.Quality;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.beneficiary.BeneficiarySchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tiny cell of the matrix, end to end: 6000 real Fashion-MNIST samples with 10 % BadNets, the
 * streaming Victim schedule shrunk to fit, every defense trained for a short budget, and the
 * report written. The full matrix is far too slow for CI; this proves the harness measures what
 * it claims on real data and real models.
 */
@Tag("slow")
class OfflineEvaluationIT {

  private static final int SAMPLES = 6_000;
  private static List<ReportWriter.CellPlots> results;
  private static Path reportDir;

  @TempDir static Path temp;

  @BeforeAll
  static void runOneCell() throws Exception {
    FashionMnist data = FashionMnist.load(FashionMnist.resolveDir(null));
    EvalSettings defaults = EvalSettings.defaults();
    VictimSchedule.Plan victim = defaults.victim().withWarmup(3_000, 1_000).withRetrainEvery(3_000);
    EvalSettings settings = defaults.withSamples(SAMPLES).withBaselineEpochs(2)
        .withPlan(new BeneficiarySchedule.Plan(1, 1, 0.1, 0.5))
        .withVictim(victim)
        // DBD and the pruning rows have tests of their own; D3 is the cheap detox row that shows the wiring.
        .withDefenses(EnumSet.of(Defense.FILTER, Defense.VAB, Defense.CLEAN, Defense.NONE_D3, Defense.VAB_D3));
    reportDir = temp.resolve("report");
    ReportWriter writer = new ReportWriter(reportDir, "./sieve eval --cells badnets-3x3:0.1 --samples 6000", settings);
    results = new OfflineEvaluation(data.train(), data.test(), settings)
        .run(EvalMatrix.parse(List.of("badnets-3x3:0.1")), done -> writer.write(done, List.of()));
  }

  @Test
  void countsEverySampleOnceAndKnowsWhichArePoisoned() {
    CellResult cell = results.get(0).cell();
    assertEquals(SAMPLES, cell.samples());
    assertEquals(600, cell.poisoned(), "10 % of 6000 samples, all outside the target class");
    assertEquals(600, cell.onArrival().poisoned());
    assertEquals(SAMPLES - 600, cell.onArrival().clean());
    assertTrue(cell.victimVersions() >= 2, "warm-up version plus at least one round: " + cell.victimVersions());
  }

  @Test
  void theAttackWorksOnTheUndefendedModelAndNotOnTheCleanReference() {
    CellResult cell = results.get(0).cell();
    Quality none = cell.defense(Defense.NONE).quality();
    Quality clean = cell.defense(Defense.CLEAN).quality();
    assertTrue(none.attackSuccessRate() > 0.8, "undefended ASR " + none.attackSuccessRate());
    assertTrue(clean.attackSuccessRate() < 0.2, "clean-reference ASR " + clean.attackSuccessRate());
    assertTrue(clean.cleanAccuracy() > 0.7, "clean-reference CA " + clean.cleanAccuracy());
  }

  @Test
  void derIsMeasuredAgainstTheUndefendedModelOfTheSameCell() {
    CellResult cell = results.get(0).cell();
    Quality none = cell.defense(Defense.NONE).quality();
    assertTrue(Double.isNaN(cell.defense(Defense.NONE).der()));
    for (Defense d : List.of(Defense.FILTER, Defense.VAB, Defense.CLEAN)) {
      DefenseResult r = cell.defense(d);
      assertNotNull(r, d + " was trained");
      double expected = (Math.max(0, none.attackSuccessRate() - r.quality().attackSuccessRate())
          - Math.max(0, none.cleanAccuracy() - r.quality().cleanAccuracy()) + 1) / 2;
      assertEquals(expected, r.der(), 1e-12, d.id());
      assertEquals(2, r.curve().size(), "one curve point per epoch for " + d.id());
    }
    assertEquals(SAMPLES, cell.defense(Defense.VAB).labelled() + cell.defense(Defense.VAB).unlabelled(),
        "V&B trains on every sample, the suspicious ones without labels");
  }

  @Test
  void detoxRowsDetoxifyTheirBaseModelWithAFivePercentCleanSet() {
    CellResult cell = results.get(0).cell();
    for (Defense d : List.of(Defense.NONE_D3, Defense.VAB_D3)) {
      DefenseResult r = cell.defense(d);
      assertNotNull(r, d + " was run");
      assertEquals(SAMPLES / 20, r.labelled(), "5 % of the cell's samples as the clean set");
      assertTrue(r.curve().isEmpty(), "detox has no epochs");
    }
    // With a trusted clean set, D3 moves the undefended model off its backdoor.
    assertTrue(cell.defense(Defense.NONE_D3).quality().attackSuccessRate()
        < cell.defense(Defense.NONE).quality().attackSuccessRate() - 0.3, "none+d3 " + cell.defense(Defense.NONE_D3)
        + " vs none " + cell.defense(Defense.NONE));
  }

  @Test
  void theVictimsEntropyRanksPoisonedSamplesAsSuspect() {
    CellResult cell = results.get(0).cell();
    // The Victim learns the trigger during its warm-up; even where the split is unsure, its entropy
    // orders poisoned samples below clean ones.
    assertTrue(cell.afterRecheck().auroc() > 0.85, "AUROC " + cell.afterRecheck().auroc());
  }

  @Test
  void writesTheReportWithRealPlots() throws Exception {
    String html = Files.readString(reportDir.resolve("index.html"));
    assertTrue(html.contains("badnets-3x3"), "the report names the attack");
    assertTrue(html.contains("./sieve eval --cells badnets-3x3:0.1 --samples 6000"), "and the command");
    JsonNode json = new ObjectMapper().readTree(reportDir.resolve("results.json").toFile());
    assertEquals(1, json.get("cells").size());
    assertEquals(6, json.get("cells").get(0).get("defenses").size());
    String matrix = Files.readString(reportDir.resolve("matrix.md"));
    assertTrue(matrix.contains("| none+d3 |") && matrix.contains("| vab+d3 |"), matrix);
    assertEquals("badnets-3x3", json.get("summary").get(0).get("attack").asText());
    for (String png : List.of("roc.png", "asr.png", "quarantine-offline.png", "entropy-badnets-3x3-0.1.png",
        "curves-badnets-3x3-0.1.png")) {
      assertNotNull(ImageIO.read(reportDir.resolve(png).toFile()), png + " is a readable image");
      assertTrue(html.contains(png), "the page shows " + png);
    }
  }
}

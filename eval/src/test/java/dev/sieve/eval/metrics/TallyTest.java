package dev.sieve.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.eval.metrics.Tally.Outcome;
import dev.sieve.eval.metrics.Tally.Truth;
import java.util.List;
import org.junit.jupiter.api.Test;

class TallyTest {

  @Test
  void confusionMatrixAndRatesFollowPositiveMeansPoisonedAndQuarantined() {
    // 4 poisoned: 3 quarantined, 1 let through. 6 clean: 1 quarantined, 5 credible.
    DetectionReport r = tenDecisions().report(10, 1.0);

    assertEquals(3, r.truePositives());
    assertEquals(1, r.falsePositives());
    assertEquals(1, r.falseNegatives());
    assertEquals(5, r.trueNegatives());
    assertEquals(0.75, r.recall(), 1e-12);
    assertEquals(1.0 / 6, r.falsePositiveRate(), 1e-12);
    assertEquals(0.75, r.precision(), 1e-12);
    assertEquals(6, r.credible());
    assertEquals(4, r.quarantined());
    assertEquals(10, r.distinct());
    assertTrue(r.complete());
    // First produced at 1.000 s, last decided at 2.100 s: 10 samples in 1.1 s.
    assertEquals(1.1, r.spanSeconds(), 1e-9);
    assertEquals(10 / 1.1, r.recordsPerSecond(), 1e-9);
    // Latencies 100..1100 ms; nearest-rank median is the 5th of 10 = 500 ms.
    assertEquals(500, r.latencyP50Ms(), 1e-9);
    assertEquals(1100, r.latencyP99Ms(), 1e-9);
    assertTrue(r.summaryLine().contains("TP 3 FP 1 FN 1 TN 5"), r.summaryLine());
    assertTrue(r.summaryLine().contains("recall 0.750"), r.summaryLine());
  }

  @Test
  void aurocRanksMinusEntropyWithTiesAsHalfAWin() {
    DetectionReport r = tenDecisions().report(10, 1.0);

    // 4 poisoned x 6 clean = 24 pairs; a pair is won when the poisoned sample has the lower entropy.
    // p1 0.01 beats all 6; p2 0.02 beats 5 and ties c1 (5.5); p3 0.03 beats 5, loses to c1 0.02;
    // p4 0.5 beats 0.6 and 0.7, ties c4 0.5 (2.5): (6 + 5.5 + 5 + 2.5) / 24.
    assertEquals(19.0 / 24, r.auroc(), 1e-12);
    assertTrue(r.summaryLine().contains("AUROC 0.792"), r.summaryLine());
    assertEquals(10, r.decidedSamples().size());
    assertArrayEquals(new double[] {0.01, 0.02, 0.03, 0.5, 0.02, 0.3, 0.4, 0.5, 0.6, 0.7}, r.entropies(), 0.0);
    assertArrayEquals(new boolean[] {true, true, true, true, false, false, false, false, false, false},
        r.poisonedFlags());
  }

  @Test
  void decidedSamplesAreInScoredAtOrderWhateverOrderTheTopicsGaveThem() {
    Tally t = new Tally();
    t.add("late", Outcome.CREDIBLE, Truth.CLEAN, 0, 3_000, true, 0.3);
    t.add("early", Outcome.QUARANTINE, Truth.POISONED, 0, 1_000, true, 0.01);
    t.add("same-a", Outcome.CREDIBLE, Truth.CLEAN, 0, 2_000, true, 0.2);
    t.add("same-b", Outcome.CREDIBLE, Truth.CLEAN, 0, 2_000, true, 0.1);
    t.add("same-a", Outcome.QUARANTINE, Truth.CLEAN, 0, 500, true, 0.0); // duplicate: ignored
    t.add("dead", Outcome.DEAD_LETTER, Truth.POISONED, 0, 900, true, Double.NaN);
    t.add("no-truth", Outcome.CREDIBLE, Truth.UNKNOWN, 0, 800, true, 0.4);
    t.add("garbled", Outcome.QUARANTINE, Truth.POISONED, 0, 700, false, Double.NaN);
    DetectionReport r = t.report(8, 1.0);

    assertEquals(List.of(
        new DetectionReport.DecidedSample(0.01, true, true, 1_000),
        new DetectionReport.DecidedSample(0.2, false, false, 2_000),
        new DetectionReport.DecidedSample(0.1, false, false, 2_000),
        new DetectionReport.DecidedSample(0.3, false, false, 3_000)), r.decidedSamples());
    assertEquals(1.0, r.auroc(), 0.0);
    // The undecodable poisoned sample still counts in the confusion matrix, just not in the AUROC.
    assertEquals(2, r.truePositives());
  }

  @Test
  void quarantineRateIsSlicedInScoredAtOrderAndTimedFromTheFirstVerdict() {
    DetectionReport r = tenDecisions().report(10, 1.0);
    // Ten samples fit in one minimum-size slice.
    assertEquals(List.of(new DetectionReport.RatePoint(1.0, 10, 0.4, 0.4)), r.quarantineRateOverTime());

    List<DetectionReport.RatePoint> bySlicesOfFour = Tally.rateOverTime(r.decidedSamples(), 4);
    assertEquals(List.of(
        new DetectionReport.RatePoint(0.3, 4, 0.75, 1.0),   // p1..p4, scored 1.1 s .. 1.4 s
        new DetectionReport.RatePoint(0.8, 4, 0.25, 0.0),   // c1..c4, up to 1.9 s
        new DetectionReport.RatePoint(1.0, 2, 0.0, 0.0)),   // c5, c6: the short last slice
        bySlicesOfFour);
  }

  @Test
  void sliceSizeAimsAtFiftySlicesBetweenOneHundredAndOneThousandSamples() {
    assertEquals(100, Tally.sliceSize(10));
    assertEquals(100, Tally.sliceSize(5_000));
    assertEquals(200, Tally.sliceSize(10_000));
    assertEquals(1_000, Tally.sliceSize(60_000));
  }

  @Test
  void duplicatesDeadLettersAndMissingTruthStayOutOfTheRates() {
    Tally t = new Tally();
    t.add("a", Outcome.CREDIBLE, Truth.CLEAN, -1, -1, true, Double.NaN);
    t.add("a", Outcome.QUARANTINE, Truth.CLEAN, -1, -1, true, Double.NaN); // the same sample decided twice
    t.add("b", Outcome.DEAD_LETTER, Truth.POISONED, -1, -1, true, Double.NaN);
    t.add("c", Outcome.CREDIBLE, Truth.UNKNOWN, -1, -1, false, Double.NaN);
    DetectionReport r = t.report(5, 2.0);

    assertEquals(3, r.distinct());
    assertEquals(1, r.duplicates());
    assertEquals(2, r.credible());
    assertEquals(1, r.quarantined());
    assertEquals(1, r.deadLetters());
    assertEquals(1, r.deadLetterPoisoned());
    assertEquals(1, r.missingTruth());
    assertEquals(1, r.undecodable());
    assertEquals(4, r.totalRecords());
    assertEquals(1, r.trueNegatives(), "only the first copy of 'a' counts");
    assertEquals(0, r.falsePositives());
    assertFalse(r.complete(), "3 of 5 expected");
    // No poisoned sample reached a decision topic, nothing was quarantined: undefined, not 0 or 1.
    assertTrue(Double.isNaN(r.recall()));
    assertTrue(Double.isNaN(r.precision()));
    assertEquals(0.0, r.falsePositiveRate());
    assertTrue(Double.isNaN(r.recordsPerSecond()), "no timestamps, no throughput");
    assertTrue(Double.isNaN(r.latencyP50Ms()));
    assertTrue(r.summaryLine().startsWith("INCOMPLETE: 3/5"), r.summaryLine());
    assertTrue(r.summaryLine().contains("recall n/a"), r.summaryLine());
    assertTrue(Double.isNaN(r.auroc()), "no entropy was read, so nothing to rank");
    assertTrue(r.decidedSamples().isEmpty());
    assertTrue(r.quarantineRateOverTime().isEmpty());
  }

  private static Tally tenDecisions() {
    Tally t = new Tally();
    addTenDecisions(t);
    return t;
  }

  /** 4 poisoned: 3 quarantined, 1 let through. 6 clean: 1 quarantined, 5 credible. */
  private static void addTenDecisions(Tally t) {
    t.add("p1", Outcome.QUARANTINE, Truth.POISONED, 1_000, 1_100, true, 0.01);
    t.add("p2", Outcome.QUARANTINE, Truth.POISONED, 1_000, 1_200, true, 0.02);
    t.add("p3", Outcome.QUARANTINE, Truth.POISONED, 1_000, 1_300, true, 0.03);
    t.add("p4", Outcome.CREDIBLE, Truth.POISONED, 1_000, 1_400, true, 0.5);
    t.add("c1", Outcome.QUARANTINE, Truth.CLEAN, 1_000, 1_500, true, 0.02);
    double[] cleanEntropies = {0.3, 0.4, 0.5, 0.6, 0.7};
    for (int i = 2; i <= 6; i++) {
      t.add("c" + i, Outcome.CREDIBLE, Truth.CLEAN, 1_000, 1_500 + i * 100, true, cleanEntropies[i - 2]);
    }
  }
}

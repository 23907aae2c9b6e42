package dev.sieve.loadtest.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.loadtest.eval.Tally.Outcome;
import dev.sieve.loadtest.eval.Tally.Truth;
import org.junit.jupiter.api.Test;

class TallyTest {

  @Test
  void confusionMatrixAndRatesFollowPositiveMeansPoisonedAndQuarantined() {
    Tally t = new Tally();
    // 4 poisoned: 3 quarantined, 1 let through. 6 clean: 1 quarantined, 5 credible.
    t.add("p1", Outcome.QUARANTINE, Truth.POISONED, 1_000, 1_100, true);
    t.add("p2", Outcome.QUARANTINE, Truth.POISONED, 1_000, 1_200, true);
    t.add("p3", Outcome.QUARANTINE, Truth.POISONED, 1_000, 1_300, true);
    t.add("p4", Outcome.CREDIBLE, Truth.POISONED, 1_000, 1_400, true);
    t.add("c1", Outcome.QUARANTINE, Truth.CLEAN, 1_000, 1_500, true);
    for (int i = 2; i <= 6; i++) {
      t.add("c" + i, Outcome.CREDIBLE, Truth.CLEAN, 1_000, 1_500 + i * 100, true);
    }
    DetectionReport r = t.report(10, 1.0);

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
  void duplicatesDeadLettersAndMissingTruthStayOutOfTheRates() {
    Tally t = new Tally();
    t.add("a", Outcome.CREDIBLE, Truth.CLEAN, -1, -1, true);
    t.add("a", Outcome.QUARANTINE, Truth.CLEAN, -1, -1, true); // the same sample decided twice
    t.add("b", Outcome.DEAD_LETTER, Truth.POISONED, -1, -1, true);
    t.add("c", Outcome.CREDIBLE, Truth.UNKNOWN, -1, -1, false);
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
  }
}

package dev.sieve.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.AuditAction;
import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuarantineIndexTest {

  static Verdict quarantined(String id, int label, long scoredAtMillis) {
    return Verdict.newBuilder()
        .setSample(ThumbnailsTest.sample(id, label, PixelEncoding.UINT8, new byte[28 * 28], 1))
        .setDecision(Decision.QUARANTINE).setEntropy(1e-5).setScore(0.01).setThreshold(0.1)
        .setVictimModelId("victim").setVictimVersion(3).setReason("low entropy")
        .setScoredAt(Instant.ofEpochMilli(scoredAtMillis)).build();
  }

  static AuditRecord audit(String id, AuditAction action, int previousLabel, long atMillis) {
    return AuditRecord.newBuilder().setAction(action).setSampleId(id).setWho("alice").setWhy("looked")
        .setAt(Instant.ofEpochMilli(atMillis)).setPreviousLabel(previousLabel)
        .setNewLabel(action == AuditAction.RELABEL ? (previousLabel + 1) % 10 : null)
        .setSource("q-0@1").setVictimModelId("victim").setVictimVersion(3).build();
  }

  private static List<String> ids(QuarantineIndex.Page page) {
    return page.entries().stream().map(QuarantineIndex.Entry::id).toList();
  }

  @Test
  void newestFirstWithClassTimeAndLimitFilters() {
    QuarantineIndex index = new QuarantineIndex(100);
    // Arrival order differs from time order, as when partitions interleave.
    index.addQuarantined(quarantined("b", 0, 2000), "q-1@0", List.of());
    index.addQuarantined(quarantined("a", 0, 1000), "q-0@0", List.of());
    index.addQuarantined(quarantined("d", 1, 4000), "q-0@1", List.of());
    index.addQuarantined(quarantined("c", 0, 3000), "q-1@1", List.of());

    assertEquals(List.of("d", "c", "b", "a"), ids(index.query(QuarantineIndex.Query.all(10))));
    assertEquals(List.of("c", "b", "a"), ids(index.query(new QuarantineIndex.Query(0, null, null, 10))));
    assertEquals(List.of("c", "b"), ids(index.query(new QuarantineIndex.Query(0, 2000L, 3000L, 10))),
        "from and to are inclusive");
    QuarantineIndex.Page limited = index.query(new QuarantineIndex.Query(0, null, null, 2));
    assertEquals(List.of("c", "b"), ids(limited));
    assertEquals(3, limited.matched(), "matched counts beyond the limit");
    assertEquals(List.of(), ids(index.query(new QuarantineIndex.Query(7, null, null, 10))));
    assertEquals("q-0@0", index.get("a").orElseThrow().source());
  }

  @Test
  void keepsOnlyTheNewestArrivalsButCountsEverything() {
    QuarantineIndex index = new QuarantineIndex(2);
    index.addQuarantined(quarantined("a", 0, 1000), "q-0@0", List.of());
    index.addQuarantined(quarantined("b", 0, 2000), "q-0@1", List.of());
    index.addQuarantined(quarantined("c", 0, 3000), "q-0@2", List.of());
    assertEquals(List.of("c", "b"), ids(index.query(QuarantineIndex.Query.all(10))));
    assertFalse(index.get("a").isPresent());
    assertEquals(3, index.rates(1).get(0).quarantined());
  }

  @Test
  void ratesCountTheFiltersDecisionsPerClassAndReleasesApart() {
    QuarantineIndex index = new QuarantineIndex(100);
    index.addQuarantined(quarantined("a", 2, 1000), "q-0@0", List.of());
    index.countCredible(2);
    index.countCredible(2);
    index.countCredible(2);
    index.countCredible(5);
    index.applyAudit(audit("a", AuditAction.RELEASE, 2, 5000));
    List<QuarantineIndex.ClassRate> rates = index.rates(10);
    assertEquals(10, rates.size(), "every class appears, even without verdicts");
    assertEquals(new QuarantineIndex.ClassRate(2, 1, 3, 1, 0.25), rates.get(2));
    assertEquals(new QuarantineIndex.ClassRate(5, 0, 1, 0, 0.0), rates.get(5));
    assertEquals(new QuarantineIndex.ClassRate(0, 0, 0, 0, 0.0), rates.get(0));
  }

  @Test
  void aReleaseIsFinalAndLaterActionsReplaceEarlierOnes() {
    QuarantineIndex index = new QuarantineIndex(100);
    index.applyAudit(audit("x", AuditAction.CONFIRM, 1, 1000));
    assertEquals(AuditAction.CONFIRM, index.action("x").orElseThrow().getAction());
    index.applyAudit(audit("x", AuditAction.RELEASE, 1, 2000));
    assertEquals(AuditAction.RELEASE, index.action("x").orElseThrow().getAction());
    // The audit topic delivering the earlier CONFIRM after this server applied the RELEASE itself.
    index.applyAudit(audit("x", AuditAction.CONFIRM, 1, 1000));
    index.applyAudit(audit("x", AuditAction.RELABEL, 1, 3000));
    assertEquals(AuditAction.RELEASE, index.action("x").orElseThrow().getAction());

    index.applyAudit(audit("y", AuditAction.CONFIRM, 1, 2000));
    index.applyAudit(audit("y", AuditAction.CONFIRM, 1, 1000));
    assertEquals(2000, index.action("y").orElseThrow().getAt().toEpochMilli(), "an older action does not replace a newer one");
    assertTrue(index.action("nobody").isEmpty());
  }
}

package dev.sieve.trainer.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.ModelVersion;
import dev.sieve.trainer.replay.ReplayRange.Span;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Parsing and resolving replay ranges, and choosing the Victim; no cluster needed. */
class ReplayRangeTest {

  private static final String TOPIC = "sieve.samples";

  /**
   * Three partitions; partition 1 lost its first 50 records to retention. Record i of every
   * partition has timestamp 1000 + 10·i (ms), so a time maps to offset ceil((t − 1000) / 10).
   */
  private static final ReplayRange.PartitionOffsets OFFSETS = ReplayRange.offsets(List.of(0, 1, 2),
      Map.of(0, 0L, 1, 50L, 2, 0L), Map.of(0, 100L, 1, 200L, 2, 0L), time -> {
        Map<Integer, Long> out = new TreeMap<>();
        long t = time.toEpochMilli();
        for (Map.Entry<Integer, Long> end : Map.of(0, 100L, 1, 200L, 2, 0L).entrySet()) {
          long begin = end.getKey() == 1 ? 50 : 0;
          long offset = Math.max(begin, (long) Math.ceil((t - 1000) / 10.0));
          if (offset < end.getValue()) {
            out.put(end.getKey(), offset);
          }
        }
        return out;
      });

  @Test
  void isoTimesWithZoneOffsetOrAsDatesAreAccepted() {
    assertEquals(Instant.parse("2024-05-01T12:00:00Z"), ReplayRange.parseTime("--from", "2024-05-01T12:00:00Z"));
    assertEquals(Instant.parse("2024-05-01T12:00:00Z"), ReplayRange.parseTime("--from", "2024-05-01T14:00:00+02:00"));
    assertEquals(Instant.parse("2024-05-01T00:00:00Z"), ReplayRange.parseTime("--to", "2024-05-01"));
    assertEquals(Instant.parse("2024-05-01T12:00:00.250Z"), ReplayRange.parseTime("--to", " 2024-05-01T12:00:00.250Z "));
  }

  @Test
  void anUnparseableTimeNamesTheOptionAndTheExpectedForm() {
    for (String bad : List.of("yesterday", "2024-13-01", "2024-05-01T12:00:00", "1714564800000", "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ReplayRange.parse(bad, null, null, null), bad);
      assertTrue(e.getMessage().startsWith("--from '" + bad + "' is not an ISO-8601 time"), e.getMessage());
      assertTrue(e.getMessage().contains("2024-05-01T12:00:00Z"), e.getMessage());
    }
  }

  @Test
  void aStartAfterItsEndIsRefused() {
    IllegalArgumentException times = assertThrows(IllegalArgumentException.class,
        () -> ReplayRange.parse("2024-05-02T00:00:00Z", "2024-05-01T00:00:00Z", null, null));
    assertEquals("--from 2024-05-02T00:00:00Z is after --to 2024-05-01T00:00:00Z; expected a start at or before the end",
        times.getMessage());
    IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
        () -> ReplayRange.parse(null, null, "500", "100"));
    assertTrue(all.getMessage().contains("--from-offset 500 is after --to-offset 100"), all.getMessage());
    IllegalArgumentException pair = assertThrows(IllegalArgumentException.class,
        () -> ReplayRange.parse(null, null, "0:10,1:300", "0:20,1:200"));
    assertTrue(pair.getMessage().contains("--from-offset 300 is after --to-offset 200 for partition 1"),
        pair.getMessage());
    IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
        () -> ReplayRange.parse(null, null, "150", "1:100"));
    assertTrue(mixed.getMessage().contains("for partition 1"), mixed.getMessage());
    // An empty range is not an error: it replays nothing.
    ReplayRange.parse("2024-05-01T00:00:00Z", "2024-05-01T00:00:00Z", null, null);
  }

  @Test
  void malformedOffsetsAreRefusedWithTheReason() {
    assertMessage("--from-offset: offset 'x' is not a number", () -> ReplayRange.parse(null, null, "x", null));
    assertMessage("--to-offset: offset -5 is negative", () -> ReplayRange.parse(null, null, null, "-5"));
    assertMessage("is not a P:N pair", () -> ReplayRange.parse(null, null, "0:1:2", null));
    assertMessage("names partition 0 twice", () -> ReplayRange.parse(null, null, "0:1,0:2", null));
    assertMessage("--from-offset is empty", () -> ReplayRange.parse(null, null, " ", null));
    assertMessage("both --from and --from-offset", () -> ReplayRange.parse("2024-05-01", null, "3", null));
    assertMessage("both --to and --to-offset", () -> ReplayRange.parse(null, "2024-05-01", null, "3"));
  }

  @Test
  void offsetsForEveryPartitionOrPairsThatChooseThePartitions() {
    ReplayRange.AtOffsets all = ReplayRange.parseOffsets("--from-offset", "120");
    assertEquals(OptionalLong.of(120), all.all());
    ReplayRange.AtOffsets pairs = ReplayRange.parseOffsets("--from-offset", "2:5, 0:40");
    assertEquals(Map.of(0, 40L, 2, 5L), pairs.perPartition());

    // One offset for all: clamped to what each partition holds (partition 1 starts at 50, 2 is empty).
    assertEquals(List.of(new Span(0, 20, 100), new Span(1, 50, 200), new Span(2, 0, 0)),
        ReplayRange.parse(null, null, "20", null).resolve(TOPIC, OFFSETS));
    assertEquals(List.of(new Span(1, 60, 70)), ReplayRange.parse(null, null, "1:60", "1:70").resolve(TOPIC, OFFSETS));
    // The pairs of either bound choose the partitions; a plain offset in the other applies to each of them.
    assertEquals(List.of(new Span(0, 5, 30)), ReplayRange.parse(null, null, "0:5", "30").resolve(TOPIC, OFFSETS));
    // An end past the captured end stops there: a growing stream does not make the replay endless.
    assertEquals(List.of(new Span(0, 0, 100)), ReplayRange.parse(null, null, null, "0:5000").resolve(TOPIC, OFFSETS));
    assertEquals(List.of(new Span(0, 0, 100), new Span(1, 50, 200), new Span(2, 0, 0)),
        ReplayRange.everything().resolve(TOPIC, OFFSETS));
  }

  @Test
  void aPartitionTheTopicLacksIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplayRange.parse(null, null, "7:0", null).resolve(TOPIC, OFFSETS));
    assertEquals("partition 7 of sieve.samples does not exist; it has 3 partitions (0-2)", e.getMessage());
  }

  @Test
  void timesResolveToTheFirstRecordAtOrAfterThemInEachPartition() {
    // 1.2 s -> offset 20; 1.5 s -> offset 50; partition 1 begins at 50 anyway; 2 holds nothing.
    ReplayRange range = ReplayRange.parse("1970-01-01T00:00:01.200Z", "1970-01-01T00:00:01.500Z", null, null);
    assertEquals(List.of(new Span(0, 20, 50), new Span(1, 50, 50), new Span(2, 0, 0)), range.resolve(TOPIC, OFFSETS));
    // No record at or after --to: the range runs to the end captured at start.
    ReplayRange open = ReplayRange.parse("1970-01-01T00:00:01.995Z", "2100-01-01T00:00:00Z", null, null);
    assertEquals(List.of(new Span(0, 100, 100), new Span(1, 100, 200), new Span(2, 0, 0)), open.resolve(TOPIC, OFFSETS));
    // Time and offsets mix: from a time, to an offset.
    assertEquals(List.of(new Span(0, 20, 30), new Span(1, 50, 50)),
        ReplayRange.parse("1970-01-01T00:00:01.200Z", null, null, "0:30,1:40").resolve(TOPIC, OFFSETS));
    assertEquals("1970-01-01T00:00:01.200Z .. offsets 0:30,1:40",
        ReplayRange.parse("1970-01-01T00:00:01.200Z", null, null, "0:30,1:40").describe());
    assertEquals("beginning .. end at start", ReplayRange.everything().describe());
  }

  @Test
  void theNewestVictimOrTheRequestedOneIsChosenAndNoneIsAClearError() {
    List<ModelVersion> published = List.of(version("victim", 1), version("victim", 3), version("other", 9),
        version("victim", 2));
    assertEquals(3, VictimChooser.choose(published, "victim", null, "sieve.victim-models").getVersion());
    assertEquals(2, VictimChooser.choose(published, "victim", 2L, "sieve.victim-models").getVersion());
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> VictimChooser.choose(published, "victim", 7L, "sieve.victim-models"));
    assertTrue(missing.getMessage().startsWith("Victim victim v7 is not on sieve.victim-models (versions there: v1, v3, v2;"),
        missing.getMessage());
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> VictimChooser.choose(List.of(version("other", 9)), "victim", null, "sieve.victim-models"));
    assertTrue(none.getMessage().startsWith("no Victim 'victim' on sieve.victim-models"), none.getMessage());
    assertTrue(none.getMessage().contains("the topic holds models [other]"), none.getMessage());
  }

  private static ModelVersion version(String modelId, long version) {
    return ModelVersion.newBuilder().setModelId(modelId).setVersion(version).setArchitecture("fmnist-cnn-v1")
        .setCheckpointUri("file:/nowhere/" + modelId + "-" + version).setSha256("0".repeat(64))
        .setMetrics(Map.of()).setCreatedAt(Instant.EPOCH).build();
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable parse) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse);
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}

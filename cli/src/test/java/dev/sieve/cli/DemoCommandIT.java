package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./sieve demo} end to end: embedded broker, filter, Beneficiary, producer, summary. */
class DemoCommandIT {

  @TempDir Path dir;

  @Test
  void theDemoRunsEndToEndAndWritesItsSummary() throws Exception {
    Path summary = dir.resolve("summary.json");
    String printed = demo("--limit", "3000", "--warmup-samples", "3000", "--final-epochs", "3",
        "--work-dir", dir.resolve("work").toString(), "--summary", summary.toString());
    assertTrue(printed.contains("Sieve demo summary"), printed);
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    for (String key : List.of("in", "credible", "quarantine", "deadLetter", "recall", "fpr", "precision",
        "cleanAccuracy", "attackSuccessRate", "samplesPerSecond", "retractions", "recallAfterRetractions")) {
      assertTrue(json.has(key), "summary lacks " + key + ": " + json);
    }
    assertEquals(3000, json.get("in").asLong());
    assertEquals(3000, json.get("credible").asLong() + json.get("quarantine").asLong() + json.get("deadLetter").asLong());
    assertEquals(0, json.get("duplicates").asLong());
    assertTrue(printed.contains("every task has re-judged what it released"), printed);
    // Retractions only ever add poisoned samples caught late: recall after them is at least recall.
    assertTrue(json.get("recallAfterRetractions").asDouble() >= json.get("recall").asDouble(), json.toString());
    assertTrue(json.get("retractions").asLong() <= json.get("credible").asLong(), json.toString());
    // A Beneficiary trained on ~2,500 credible samples for a few epochs is far better than chance.
    // (AttentionMix learns more slowly per epoch than plain cross-entropy, hence 3 final epochs.)
    assertTrue(json.get("cleanAccuracy").asDouble() > 0.6, json.toString());
  }

  /**
   * A stream shorter than the Victim's minimum head (1,000) used to wait for a head that never
   * came, until the demo's 30-minute timeout, with no word of why. Now it warms up on the whole
   * stream, says so, and ends.
   */
  @Test
  void aStreamShorterThanTheVictimsHeadStillEnds() throws Exception {
    Path summary = dir.resolve("short.json");
    String printed = demo("--limit", "200", "--final-epochs", "1",
        "--work-dir", dir.resolve("short").toString(), "--summary", summary.toString());
    assertTrue(printed.contains("fewer than the Victim's minimum head of 1000"), printed);
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertEquals(200, json.get("in").asLong());
    assertEquals(200, json.get("credible").asLong() + json.get("quarantine").asLong() + json.get("deadLetter").asLong());
    // Which code ran where: this test runs inside the git checkout, so git names the commit.
    assertTrue(json.get("commit").asText().matches("[0-9a-f]{40}"), json.toString());
    assertEquals(Runtime.getRuntime().availableProcessors(), json.get("machine").get("cores").asInt(), json.toString());
  }

  /** Runs {@code sieve demo ARGS}, asserts exit status 0, and returns what it printed. */
  static String demo(String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "demo";
    System.arraycopy(args, 0, command, 1, args.length);
    CommandRun run = CommandRun.of(command);
    assertEquals(0, run.exitCode(), run.out() + run.err());
    return run.out();
  }
}

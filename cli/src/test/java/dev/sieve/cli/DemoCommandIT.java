package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true));
      code = Sieve.commandLine().execute("demo", "--limit", "3000", "--warmup-samples", "3000",
          "--final-epochs", "3", "--work-dir", dir.resolve("work").toString(), "--summary", summary.toString());
    } finally {
      System.setOut(original);
    }
    String printed = captured.toString();
    System.out.println(printed);
    assertEquals(0, code, printed);
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
}

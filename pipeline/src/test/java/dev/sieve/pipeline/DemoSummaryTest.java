package dev.sieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.eval.report.RunEnvironment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo summary's JSON records which commit ran on which machine, beside what it measured. */
class DemoSummaryTest {

  @TempDir Path dir;

  @Test
  void theSummaryJsonNamesTheCommitAndTheMachine() throws Exception {
    RunEnvironment environment = new RunEnvironment("0123456789abcdef0123456789abcdef01234567", "git",
        new RunEnvironment.Machine("Linux 6.1", "amd64", 2, 2L << 30, "AMD EPYC 7B13"));
    DemoSummary summary = new DemoSummary(3000, 300, 2600, 400, 0, 0, 0.9, 0.05, 0.6, 0.8, 0.1, 0.7, 50, 80, 20,
        90, 2, 1000, 120, 3, 0.92, environment);
    Path file = dir.resolve("summary.json");
    summary.writeJson(file);
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertEquals("0123456789abcdef0123456789abcdef01234567", json.get("commit").asText());
    assertEquals("git", json.get("commitSource").asText());
    JsonNode machine = json.get("machine");
    assertEquals("Linux 6.1", machine.get("os").asText());
    assertEquals("amd64", machine.get("arch").asText());
    assertEquals(2, machine.get("cores").asInt());
    assertEquals(2L << 30, machine.get("maxHeapBytes").asLong());
    assertEquals("AMD EPYC 7B13", machine.get("cpuModel").asText());
    assertEquals(3000, json.get("in").asLong());
  }
}

package dev.sieve.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.eval.EvalSettings;
import dev.sieve.eval.ReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit and machine recorded beside results, and where each comes from. */
class RunEnvironmentTest {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String OTHER = "fedcba9876543210fedcba9876543210fedcba98";

  @TempDir Path dir;

  @Test
  void theCommitComesFromGitElseFromTheBuildElseIsUnknown() {
    assertEquals(new RunEnvironment(SHA, "git", null), RunEnvironment.find(() -> Optional.of(SHA), () -> Optional.of(OTHER)));
    assertEquals(new RunEnvironment(OTHER, "build", null), RunEnvironment.find(Optional::empty, () -> Optional.of(OTHER)));
    // An unfiltered build.properties (built without -Dsieve.commit) is no commit either.
    assertEquals(new RunEnvironment(RunEnvironment.UNKNOWN, "none", null),
        RunEnvironment.find(() -> Optional.of("fatal: not a git repository"), () -> Optional.of("${sieve.commit}")));
  }

  @Test
  void theCpuModelIsTheFirstModelNameOfCpuinfoAndAbsentWhereUnreadable() throws Exception {
    Path cpuinfo = dir.resolve("cpuinfo");
    Files.writeString(cpuinfo, "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n"
        + "\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n");
    assertEquals(Optional.of("Intel(R) Xeon(R) CPU @ 2.20GHz"), RunEnvironment.cpuModel(cpuinfo));
    assertEquals(Optional.empty(), RunEnvironment.cpuModel(dir.resolve("absent")));
    Files.writeString(dir.resolve("arm"), "processor\t: 0\nBogoMIPS\t: 50.00\n");
    assertEquals(Optional.empty(), RunEnvironment.cpuModel(dir.resolve("arm")));
  }

  @Test
  void thisProcessRecordsAMachine() {
    RunEnvironment here = RunEnvironment.current();
    assertTrue(here.commit().equals(RunEnvironment.UNKNOWN) || here.commit().matches("[0-9a-f]{40}"), here.commit());
    assertEquals(Runtime.getRuntime().availableProcessors(), here.machine().cores());
    assertEquals(Runtime.getRuntime().maxMemory(), here.machine().maxHeapBytes());
    assertEquals(System.getProperty("os.arch"), here.machine().arch());
  }

  @Test
  void resultsJsonRecordsTheCommitAndTheMachine() throws Exception {
    new ReportWriter(dir, "sieve eval --test", EvalSettings.defaults()).write(List.of(), List.of());
    JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    JsonNode environment = json.get("environment");
    assertEquals(RunEnvironment.current().commit(), environment.get("commit").asText(), json.toString());
    JsonNode machine = environment.get("machine");
    assertEquals(Runtime.getRuntime().availableProcessors(), machine.get("cores").asInt());
    assertEquals(Runtime.getRuntime().maxMemory(), machine.get("maxHeapBytes").asLong());
    for (String key : List.of("os", "arch", "cpuModel")) {
      assertTrue(machine.hasNonNull(key), "machine lacks " + key + ": " + machine);
    }
  }
}

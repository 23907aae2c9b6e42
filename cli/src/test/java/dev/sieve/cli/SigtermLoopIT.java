package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's shutdown criterion: SIGTERM to {@code sieve stream} during a Victim round and to
 * {@code sieve train} during a step, {@value #DEFAULT_RUNS} times each; every run must exit with
 * 0 and leave no {@code hs_err} file. One broker and one set of topics serve all runs. Each run's
 * exit status and time from SIGTERM to exit is printed; a failed run does not stop the loop, the
 * count is asserted at the end. Slow (each run starts a JVM and loads PyTorch): {@code -Pslow};
 * {@code -Dsieve.sigtermRuns=5} runs fewer.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SigtermLoopIT {

  static final int DEFAULT_RUNS = 20;

  @TempDir
  static Path work;

  private EmbeddedKafkaBroker broker;
  private SigtermRuns runs;

  @BeforeAll
  void topicsFilledOnce() throws Exception {
    broker = EmbeddedKafkaBroker.start();
    runs = SigtermRuns.prepare(broker.bootstrapServers(), work);
  }

  @AfterAll
  void closeBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.HOURS) // a hang guard for 20 runs on a slow machine
  void everySigtermDuringAVictimRoundExitsClean() {
    assertAllClean("stream", run -> runs.stream(run));
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.HOURS)
  void everySigtermDuringATrainingStepExitsClean() {
    assertAllClean("train", run -> runs.train(run));
  }

  private interface Run {
    SigtermRuns.Outcome of(int run) throws Exception;
  }

  private static void assertAllClean(String command, Run run) {
    int n = Integer.getInteger("sieve.sigtermRuns", DEFAULT_RUNS);
    List<String> failures = new ArrayList<>();
    int clean = 0;
    for (int i = 1; i <= n; i++) {
      try {
        SigtermRuns.Outcome outcome = run.of(i);
        System.out.println(outcome);
        if (outcome.clean()) {
          clean++;
        } else {
          failures.add(outcome + "\n" + outcome.tail());
        }
      } catch (Exception | AssertionError e) {
        System.out.printf("sieve %s run %d: failed: %s%n", command, i, e.getMessage());
        failures.add("run " + i + ": " + e.getMessage());
      }
    }
    System.out.printf("sieve %s: %d of %d SIGTERMs exited with 0 and no hs_err file%n", command, clean, n);
    assertEquals(n, clean, String.join("\n\n", failures));
  }
}

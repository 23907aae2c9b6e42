package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the two other long-running commands, as {@code StreamAppSigtermIT} and
 * {@code TrainSigtermIT} do for {@code stream} and {@code train}: each closes in order and exits
 * with 0 and no {@code hs_err} file (an orchestrator, or a person's shell, reads anything else as
 * a crash).
 */
class UiAndDemoSigtermIT {

  @TempDir
  Path work;

  /**
   * The HTTP server and the quarantine index's follower close in order. The view needs topics,
   * not records: the samples and verdicts that {@code stream} and {@code train} runs need are not
   * produced, and the JVM-wide shared broker serves instead of one started for this case.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang guard
  void uiExitsWithStatusZero() throws Exception {
    SigtermRuns.Outcome outcome = SigtermRuns.emptyTopics(EmbeddedKafkaBroker.shared().bootstrapServers(), work).ui(1);
    System.out.println(outcome);
    assertTrue(outcome.clean(), outcome + "\n" + outcome.tail());
    assertTrue(outcome.tail().contains("sieve ui: stopped cleanly"), outcome.tail());
  }

  /**
   * Mid-run, with the Victim updater training in libtorch: the demo stops waiting, joins the
   * updater and the Beneficiary before their models are freed, then closes its broker.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang guard
  void demoStoppedDuringTheVictimsWarmUpExitsWithStatusZero() throws Exception {
    SigtermRuns.Outcome outcome = SigtermRuns.demo(work, 1);
    System.out.println(outcome);
    assertTrue(outcome.clean(), outcome + "\n" + outcome.tail());
    assertTrue(outcome.tail().contains("sieve demo: stopped cleanly"), outcome.tail());
  }
}

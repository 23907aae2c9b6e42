package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sieve stream} gets SIGTERM while its Victim updater is in a training round. Before, the
 * shutdown hook waited 60 s for the round and then freed the native model under it, and libtorch
 * crashed the JVM (SIGSEGV, an {@code hs_err} file). Now the round stops at its next batch, the
 * model is freed after the thread has left, and the process exits with 0, the status of an
 * orderly stop ({@link OrderlyShutdown}). {@code SigtermLoopIT} (slow) repeats this 20 times.
 */
class StreamAppSigtermIT {

  @TempDir
  Path work;

  @Test
  @Timeout(value = 45, unit = TimeUnit.MINUTES) // a hang guard: the Victim's warm-up sets the pace
  void sigtermDuringAVictimRoundExitsWithStatusZeroAndWithoutACrash() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      SigtermRuns.Outcome outcome = SigtermRuns.prepare(broker.bootstrapServers(), work).stream(1);
      System.out.println(outcome);
      assertTrue(outcome.clean(), outcome + "\n" + outcome.tail());
      assertTrue(outcome.tail().contains("sieve stream: stopped cleanly"), outcome.tail());
    }
  }
}

package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sieve train} gets SIGTERM while its training thread is in a step, with thousands of
 * verdicts still to train on. The step finishes, the batches after it are left for the next run,
 * the final checkpoint is written, the training thread is joined before the network and its
 * NDManager are freed, and the process exits with 0 and no {@code hs_err} file.
 * {@code SigtermLoopIT} (slow) repeats this 20 times. The same for {@code train --mode dbd} in
 * the middle of a DBD round, which is abandoned between two batches.
 */
class TrainSigtermIT {

  @TempDir
  Path work;

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES) // a hang guard
  void sigtermDuringATrainingStepExitsWithStatusZeroAndWithoutACrash() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      SigtermRuns runs = SigtermRuns.prepare(broker.bootstrapServers(), work);
      SigtermRuns.Outcome outcome = runs.train(1);
      System.out.println(outcome);
      assertTrue(outcome.clean(), outcome + "\n" + outcome.tail());
      assertTrue(outcome.tail().contains("sieve train: stopped cleanly"), outcome.tail());

      SigtermRuns.Outcome dbd = runs.trainDbd(1);
      System.out.println(dbd);
      assertTrue(dbd.clean(), dbd + "\n" + dbd.tail());
    }
  }
}

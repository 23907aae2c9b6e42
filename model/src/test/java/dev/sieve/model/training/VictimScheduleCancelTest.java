package dev.sieve.model.training;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.SyntheticSamples;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.schemas.LabeledSample;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Cancelling stops a Victim's training at its next batch, so that a process shutting down never
 * frees the native model under a round still using it.
 */
class VictimScheduleCancelTest {

  private static final VictimSchedule.Plan PLAN = VictimSchedule.Plan.defaults().withWarmup(256, 256)
      .withBootstrapRounds(0).withWindowSize(256).withSeed(3);

  @Test
  void aCancelledScheduleRefusesToWarmUp() {
    try (VictimSchedule schedule = new VictimSchedule(PLAN, SplitPolicies.byName("vab"), Architecture.FMNIST_CNN_V1)) {
      schedule.add(samples(256));
      schedule.cancel();
      assertThrows(CancellationException.class, schedule::warmUp);
    }
  }

  @Test
  void aRoundUnderWayStopsWhenCancelledFromAnotherThread() throws Exception {
    try (VictimSchedule schedule = new VictimSchedule(PLAN, SplitPolicies.byName("vab"), Architecture.FMNIST_CNN_V1)) {
      schedule.add(samples(256));
      schedule.warmUp();
      CountDownLatch oneRoundDone = new CountDownLatch(1);
      AtomicReference<Throwable> ended = new AtomicReference<>();
      Thread rounds = new Thread(() -> {
        try {
          while (true) { // only cancellation ends it
            schedule.add(samples(16));
            schedule.round();
            oneRoundDone.countDown();
          }
        } catch (Throwable t) {
          ended.set(t);
        }
      }, "victim-rounds");
      rounds.start();
      assertTrue(oneRoundDone.await(10, TimeUnit.MINUTES), "a first round never finished (hang guard)");
      schedule.cancel();
      rounds.join(TimeUnit.MINUTES.toMillis(10)); // a hang guard: cancellation ends it at the next batch
      assertFalse(rounds.isAlive(), "the rounds went on after cancel()");
      assertInstanceOf(CancellationException.class, ended.get(), "ended by: " + ended.get());
    }
  }

  private static List<LabeledSample> samples(int count) {
    return SyntheticSamples.quadrants(count, count);
  }
}

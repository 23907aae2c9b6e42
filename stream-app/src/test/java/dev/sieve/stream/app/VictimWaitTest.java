package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sieve.model.training.VictimSchedule;
import dev.sieve.stream.updater.VictimUpdater.Phase;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The words {@code /health} and {@code sieve stream}'s progress line use for which Victim judges, or what is awaited. */
class VictimWaitTest {

  private static final VictimSchedule.Plan PLAN = VictimSchedule.Plan.defaults();
  private static final String TOPIC = "sieve.victim-models";

  @Test
  void aQuietStreamSaysHowFarTheHeadIsAndThatNothingIsReleased() {
    VictimWait wait = new VictimWait(Optional.empty(), null,
        new VictimWait.UpdaterState(Phase.COLLECTING_HEAD, 312, 0, PLAN), TOPIC);
    assertEquals("no victim yet: victim collecting head: 312/10000 samples (it warms up on fewer, at least 1000, "
        + "once no sample has arrived for 3 s); nothing is released until the first Victim version", wait.describe());
  }

  @Test
  void theWarmUpAndAPublishedVersionStillBeingLoadedAreNamed() {
    assertEquals("no victim yet: victim warming up on its head of 10000 samples and fitting its first split; "
        + "nothing is released until the first Victim version", new VictimWait(Optional.empty(), null,
            new VictimWait.UpdaterState(Phase.WARMING_UP, 10_000, 0, PLAN), TOPIC).describe());
    assertEquals("no victim yet: victim v1 published, being loaded; nothing is released until the first Victim "
        + "version", new VictimWait(Optional.empty(), null, new VictimWait.UpdaterState(Phase.PUBLISHED, 10_000, 1,
            PLAN), TOPIC).describe());
  }

  @Test
  void anInstanceWithoutTheUpdaterWaitsForTheVictimModelsTopic() {
    assertEquals("no victim yet: waiting for the first Victim version on sieve.victim-models (published by the one "
        + "instance that runs the Victim updater); nothing is released until the first Victim version",
        new VictimWait(Optional.empty(), null, null, TOPIC).describe());
  }

  @Test
  void anInitialVictimJudgesWhileTheHeadIsCollectedAndGivesWayToTheFirstVersion() {
    VictimWait.UpdaterState collecting = new VictimWait.UpdaterState(Phase.COLLECTING_HEAD, 40, 0, PLAN);
    assertEquals("initial victim initial-beneficiary-v3 (v0, --initial-victim) judges until the first Victim "
        + "version; victim collecting head: 40/10000 samples (it warms up on fewer, at least 1000, once no sample has "
        + "arrived for 3 s)", new VictimWait(Optional.of(0L), "initial-beneficiary-v3", collecting, TOPIC).describe());
    assertEquals("victim v1", new VictimWait(Optional.of(1L), "initial-beneficiary-v3",
        new VictimWait.UpdaterState(Phase.PUBLISHED, 10_000, 1, PLAN), TOPIC).describe());
  }
}

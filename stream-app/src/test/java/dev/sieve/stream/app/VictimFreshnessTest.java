package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VictimFreshnessTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final VictimFreshness freshness =
      new VictimFreshness(new VictimFreshness.Limits(Duration.ofSeconds(60), 1000), now::get);

  @Test
  void samplesWaitingTooLongForAFirstVictimAreAProblemWaitingBriefly() {
    assertEquals(Optional.empty(), freshness.problem(Optional.empty()), "nothing waits yet");
    freshness.sampleAccepted();
    now.addAndGet(60_000);
    assertEquals(Optional.empty(), freshness.problem(Optional.empty()), "60 s is within the limit");
    now.addAndGet(1_000);
    String why = freshness.problem(Optional.empty()).orElseThrow();
    assertTrue(why.contains("waited 61 s for a first Victim version (limit 60 s)"), why);
    assertEquals(Optional.empty(), freshness.problem(Optional.of(1L)), "a Victim arrived");
  }

  @Test
  void oneVersionJudgingTooManySamplesIsStaleUntilANewerOneScores() {
    freshness.batchScored(600, 0, 1);
    assertEquals(Optional.empty(), freshness.problem(Optional.of(1L)));
    freshness.batchScored(401, 0, 1);
    String why = freshness.problem(Optional.of(1L)).orElseThrow();
    assertTrue(why.contains("Victim v1 has judged 1001 samples with no newer version (limit 1000)"), why);
    assertEquals(Optional.empty(), freshness.problem(Optional.of(2L)), "v2 is installed and has judged nothing yet");
    freshness.batchScored(10, 0, 2);
    assertEquals(Optional.empty(), freshness.problem(Optional.of(2L)));
  }
}

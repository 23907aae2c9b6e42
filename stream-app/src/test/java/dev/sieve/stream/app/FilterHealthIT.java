package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.ops.Health;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} of a filter instance on a real broker: down, with the reason, when the Victim
 * updater has died and samples wait for a first Victim, and when one Victim version has judged
 * too many samples; up again once a newer version is installed.
 */
class FilterHealthIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  private static EmbeddedKafkaBroker broker;
  private static FashionMnist.Split train;

  @TempDir
  Path workDir;

  /** The test JVM's shared broker: it outlives this class. */
  @BeforeAll
  static void startBroker() throws Exception {
    train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    broker = EmbeddedKafkaBroker.shared();
  }

  @Test
  @Timeout(150)
  void aDeadUpdaterAndSamplesWaitingForAFirstVictimTurnHealthDownWithTheReasons() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, train);
    try (FilterApp app = new FilterApp(broker.bootstrapServers(), s.filterConfig(), workDir.resolve("state"),
        s.victimConfig(200), SplitPolicies.defaultPolicy(), Map.of(), s.trust(), null, Duration.ofSeconds(1), 100_000)) {
      // The updater's checkpoint directory becomes a file: its next look at the disk fails, as on
      // a lost volume, and its thread stops.
      Path victimDir = workDir.resolve("victim");
      try (Stream<Path> files = Files.walk(victimDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      Files.writeString(victimDir, "not a directory");
      app.start();
      s.produce(300, 0.0);
      Health health = awaitHealth(app, h -> !h.up() && h.detail().contains("Victim updater stopped")
          && h.detail().contains("for a first Victim version"));
      assertTrue(health.detail().contains("no victim yet"), health.detail());
    }
  }

  @Test
  @Timeout(150)
  void aVictimThatJudgedTooManySamplesIsStaleUntilANewerVersionArrives() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, train);
    TestVictims victims = new TestVictims(broker.bootstrapServers(), s.topics, workDir.resolve("victim"));
    victims.publish(victims.write(1));
    try (FilterApp app = new FilterApp(broker.bootstrapServers(), s.filterConfig(), workDir.resolve("state"), null,
        SplitPolicies.defaultPolicy(), Map.of(), ModelTrust.within(workDir.resolve("victim")), null,
        Duration.ofHours(1), 100).start()) {
      awaitHealth(app, h -> h.up() && h.detail().contains("victim v1"));
      s.produce(150, 0.0);
      Health stale = awaitHealth(app, h -> !h.up());
      assertTrue(stale.detail().contains("Victim v1 has judged") && stale.detail().contains("(limit 100)"),
          stale.detail());
      victims.publish(victims.write(2));
      Health fresh = awaitHealth(app, h -> h.up() && h.detail().contains("victim v2"));
      assertFalse(fresh.detail().contains("judged"), fresh.detail());
    }
  }

  private static Health awaitHealth(FilterApp app, Predicate<Health> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Health health = app.health();
    while (!wanted.test(health)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("health never reached the expected state; last: " + health);
      }
      Thread.sleep(100);
      health = app.health();
    }
    return health;
  }
}

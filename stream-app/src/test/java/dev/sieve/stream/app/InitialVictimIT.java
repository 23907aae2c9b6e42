package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.ops.Health;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.updater.VictimUpdater;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --initial-victim} on a real broker: a filter started from a Beneficiary's checkpoint
 * releases the stream to credible from its first batch while its updater is still collecting a
 * head it will not have for a long time, says so on {@code /health}, and gives way to the first
 * published Victim version.
 */
class InitialVictimIT {

  private static final int SAMPLES = 300;

  private static EmbeddedKafkaBroker broker;
  private static FashionMnist.Split train;

  @TempDir
  Path workDir;

  @BeforeAll
  static void startBroker() throws Exception {
    train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    broker = EmbeddedKafkaBroker.shared();
  }

  @Test
  @Timeout(180)
  void aBeneficiaryCheckpointReleasesFromTheFirstBatchUntilTheFirstVictimVersion() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, train);
    // A Beneficiary's checkpoint, as sieve train or sieve replay leaves one: no split in its metrics.
    StoredCheckpoint beneficiary;
    try (Network network = Network.create(VictimUpdater.ARCHITECTURE, 3)) {
      beneficiary = new CheckpointStore(workDir.resolve("beneficiary")).write(new CheckpointMeta("beneficiary", 3,
          VictimUpdater.ARCHITECTURE.id(), Instant.now(), Map.of("loss", 0.4), Map.of()), network.parameters());
    }
    Path victimDir = workDir.resolve("victim");
    ModelTrust trust = ModelTrust.within(victimDir);
    // A head of 10,000 (at least 500 after a quiet spell) that 300 samples never fill: without the
    // initial Victim nothing would be released.
    try (FilterApp app = new FilterApp(broker.bootstrapServers(), s.filterConfig(), workDir.resolve("state"),
        s.victimConfig(10_000), SplitPolicies.defaultPolicy(), Map.of(), trust, null, Duration.ofHours(1), 100_000)) {
      app.installInitialVictim(trust.loadInitial(beneficiary.path(), VictimUpdater.ARCHITECTURE)).start();
      long started = System.nanoTime();
      s.produce(SAMPLES, 0.0);

      FilterOutputs out = FilterOutputs.read(broker.bootstrapServers(), s.topics, o -> o.verdicts.size() >= SAMPLES);
      System.out.printf("%d samples released %.1f s after the filter started%n", SAMPLES,
          (System.nanoTime() - started) / 1e9);
      assertEquals(SAMPLES, out.verdicts.size(), out.describe());
      for (Verdict verdict : out.verdicts) {
        assertEquals(Decision.CREDIBLE, verdict.getDecision(), verdict.getReason());
        assertEquals("initial-beneficiary-v3", verdict.getVictimModelId());
        assertEquals(ModelTrust.INITIAL_VERSION, verdict.getVictimVersion());
      }
      VictimUpdater updater = app.updater().orElseThrow();
      assertEquals(0, updater.version(), "the updater published no version: the initial Victim released them");
      Health health = app.health();
      assertTrue(health.up(), health.detail());
      assertTrue(health.detail().contains("initial victim initial-beneficiary-v3 (v0, --initial-victim) judges until "
          + "the first Victim version; victim collecting head: "), health.detail());
      assertTrue(health.detail().contains("/10000 samples"), health.detail());

      // The first published version replaces it, as the updater's v1 would.
      TestVictims victims = new TestVictims(broker.bootstrapServers(), s.topics, victimDir);
      victims.publish(victims.write(1));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!app.health().detail().contains("victim v1")) {
        assertTrue(System.nanoTime() < deadline, "v1 never replaced the initial Victim: " + app.health().detail());
        Thread.sleep(100);
      }
      assertEquals(1L, app.registry().currentVersion().orElseThrow());
    }
  }
}

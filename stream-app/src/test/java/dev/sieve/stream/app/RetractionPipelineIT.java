package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retractions through a real broker, with exactly-once: Victim v1 splits nothing, so every sample
 * is released; v2 calls the whole of class 0 suspect, and the filter retracts exactly the class-0
 * samples v1 released, once each, committed. A restarted instance (same application id and state
 * directory, v2 read again from the compacted topic) retracts nothing again.
 */
class RetractionPipelineIT {

  private static final int SAMPLES = 300;
  private static final int CLASS = 0;

  private static EmbeddedKafkaBroker broker;
  private static FashionMnist.Split images;

  @TempDir
  Path workDir;

  @BeforeAll
  static void startBroker() throws Exception {
    images = FashionMnist.loadTest(FashionMnist.resolveDir(null));
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private FilterApp filter(FilterPipelineScenarios s, SimpleMeterRegistry meters) {
    return new FilterApp(broker.bootstrapServers(), s.filterConfig(), workDir.resolve("state"), null,
        SplitPolicies.defaultPolicy(), s.filterOverrides(), ModelTrust.within(workDir.resolve("victim")), meters,
        Duration.ofHours(1), 1_000_000);
  }

  @Test
  @Timeout(180)
  void aNewerVictimRetractsWhatAnOlderOneReleasedOnceAcrossARestart() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, images);
    TestVictims victims = new TestVictims(broker.bootstrapServers(), s.topics, workDir.resolve("victim"));
    victims.publish(victims.write(1));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Set<String> releasedOfTheClass;
    try (FilterApp app = filter(s, meters).start()) {
      s.produce(SAMPLES, 0.1);
      FilterOutputs released = FilterOutputs.read(broker.bootstrapServers(), s.topics, o -> o.verdicts.size() >= SAMPLES);
      assertTrue(released.verdicts.stream().allMatch(v -> v.getDecision() == Decision.CREDIBLE && v.getVictimVersion() == 1),
          "v1 splits nothing: " + released.describe());
      releasedOfTheClass = released.verdicts.stream().filter(v -> v.getSample().getLabel() == CLASS)
          .map(v -> v.getSample().getId()).collect(Collectors.toSet());
      assertTrue(releasedOfTheClass.size() > 10, "class " + CLASS + " must have samples: " + releasedOfTheClass);

      double[] thresholds = new double[TestVictims.ARCHITECTURE.numClasses()];
      Arrays.fill(thresholds, -1);
      thresholds[CLASS] = 1.0; // every sample of the class is suspect
      victims.publish(TestVictims.write(new CheckpointStore(victims.checkpointDir()), 2, TestVictims.ARCHITECTURE.id(),
          new SplitRule(0.0, 1.0, thresholds).toMetrics()));
      FilterOutputs retracted = FilterOutputs.read(broker.bootstrapServers(), s.topics,
          o -> o.retractions.size() >= releasedOfTheClass.size());

      List<String> ids = retracted.retractions.stream().map(Retraction::getSampleId).toList();
      assertEquals(releasedOfTheClass, new HashSet<>(ids), "exactly the released samples of class " + CLASS);
      assertEquals(ids.size(), new HashSet<>(ids).size(), "each retracted once: " + ids);
      assertTrue(retracted.retractions.stream().allMatch(r -> r.getReleasedByVersion() == 1 && r.getVictimVersion() == 2
          && r.getLabel() == CLASS));
      assertEquals(SAMPLES, retracted.verdicts.size(), "a retraction adds no verdict");
      assertEquals(releasedOfTheClass.size(),
          meters.get("sieve.retractions").tag("class", Integer.toString(CLASS)).counter().count(), 1e-9);
    }

    // Restart: the released store and its re-judge progress come back; v2 is installed again.
    try (FilterApp app = filter(s, new SimpleMeterRegistry()).start()) {
      s.produceRange(SAMPLES + 40, 0.0, SAMPLES, SAMPLES + 40); // images 300..339: new ids
      FilterOutputs after = FilterOutputs.read(broker.bootstrapServers(), s.topics,
          o -> o.verdicts.size() >= SAMPLES + 40);
      assertTrue(after.verdicts.stream().filter(v -> v.getVictimVersion() == 2).count() > 0,
          "the restarted instance scores with v2: " + after.describe());
      assertEquals(releasedOfTheClass.size(), after.retractions.size(), "nothing retracted again: " + after.describe());
      Set<String> verdictIds = after.verdictIds();
      assertEquals(SAMPLES + 40, verdictIds.size(), "every sample exactly one verdict: " + after.describe());
    }
  }
}

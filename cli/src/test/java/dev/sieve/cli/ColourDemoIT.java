package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.trainer.BeneficiaryConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./sieve demo --dataset fmnist-color32}: the colour set runs the whole
 * streaming path at 3x32x32 with the small CNN. Every record validates (nothing dead-lettered),
 * every sample gets a verdict, the Victim updater publishes versions of the colour shape that the
 * filter installs and re-judges with, and the Beneficiary trains on the credible ones.
 */
class ColourDemoIT {

  @TempDir Path dir;

  /**
   * 300 samples, under the Victim's minimum head, so it warms up on all of them. Slow all the same:
   * 253 s here under a load average of 25 on 2 cores, most of it the demo's measurement of the
   * Beneficiary on all 10,000 colour test images, clean and triggered.
   */
  @Test
  @Tag("slow")
  void theColourSetRunsTheStreamingPathAtThreeByThirtyTwoSquared() throws Exception {
    Path work = dir.resolve("small");
    JsonNode json = colourDemo(300, work);
    StoredCheckpoint victim = new CheckpointStore(work.resolve("checkpoints").resolve("victim"))
        .latest(VictimUpdaterConfig.DEFAULT_MODEL_ID).orElseThrow();
    assertEquals("small-cnn-3x32x32-10", victim.meta().architecture());
    StoredCheckpoint beneficiary = new CheckpointStore(work.resolve("checkpoints").resolve("beneficiary"))
        .latest(BeneficiaryConfig.DEFAULT_MODEL_ID).orElseThrow();
    assertEquals("small-cnn-3x32x32-10", beneficiary.meta().architecture());
    assertTrue(json.get("victimVersions").asLong() >= 1, json.toString());
  }

  /** The same on 2,000 samples, long enough for the Beneficiary to learn the colour classes (517 s here, loaded). */
  @Test
  @Tag("slow")
  void aBeneficiaryOnTwoThousandColourSamplesLearnsTheClasses() throws Exception {
    JsonNode json = colourDemo(2000, dir.resolve("large"));
    // Well above chance (0.1) on the 10,000 colour test images.
    assertTrue(json.get("cleanAccuracy").asDouble() > 0.3, json.toString());
  }

  private JsonNode colourDemo(int samples, Path work) throws Exception {
    Path summary = work.resolve("summary.json");
    String printed = DemoCommandIT.demo("--dataset", "fmnist-color32", "--attack", "badnets-3x3", "--limit", "" + samples,
        "--warmup-samples", "" + samples, "--final-epochs", "1", "--work-dir", work.toString(), "--summary",
        summary.toString());
    assertTrue(printed.contains("streaming " + samples + " fmnist-color32 samples (3x32x32)"), printed);
    JsonNode json = new ObjectMapper().readTree(summary.toFile());
    assertEquals(samples, json.get("in").asLong());
    assertEquals(0, json.get("deadLetter").asLong(), "every colour record fits the 3x32x32 descriptor: " + json);
    assertEquals(samples, json.get("credible").asLong() + json.get("quarantine").asLong(), json.toString());
    assertEquals(0, json.get("duplicates").asLong());
    // The filter installed the updater's last version, which it refuses unless it is of its own shape.
    assertTrue(printed.contains("every task has re-judged what it released"), printed);
    return json;
  }
}

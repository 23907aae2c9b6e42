package dev.sieve.model.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointException;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.scoring.FeatureTest;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.schemas.ModelVersion;
import dev.sieve.wire.AvroSerde;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Victim version with an in-class feature test: the checkpoint's hashed header holds the whole
 * test, the message a copy without the weights, and a reader routes by the checkpoint's.
 */
class FeatureTestVersionTest {

  private static final Architecture CNN = Architecture.FMNIST_CNN_V1;
  private static final int WIDTH = 128;

  @TempDir Path root;

  private static SplitRule splitWithTest() {
    Random random = new Random(4);
    float[][] directions = new float[CNN.numClasses()][];
    double[] cuts = new double[CNN.numClasses()];
    Arrays.fill(cuts, Double.NaN);
    for (int c : new int[] {0, 6}) {
      directions[c] = new float[WIDTH];
      for (int k = 0; k < WIDTH; k++) {
        directions[c][k] = (float) random.nextGaussian();
      }
      cuts[c] = 1.25 + c;
    }
    double[] thresholds = new double[CNN.numClasses()];
    Arrays.fill(thresholds, -1);
    thresholds[2] = 0.1;
    return new SplitRule(1e-7, 0.23, thresholds).withFeatureTest(new FeatureTest("clustering", WIDTH, directions, cuts));
  }

  private StoredCheckpoint write(Map<String, Double> metrics) {
    try (Network network = Network.create(CNN, 3)) {
      return new CheckpointStore(root).write(new CheckpointMeta("victim", 4, CNN.id(), Instant.now(), metrics, Map.of()),
          network.parameters());
    }
  }

  private static ModelVersion message(StoredCheckpoint stored, Map<String, Double> metrics) {
    return ModelVersion.newBuilder().setModelId("victim").setVersion(4).setArchitecture(CNN.id())
        .setCheckpointUri(stored.uri().toString()).setSha256(stored.sha256()).setMetrics(metrics)
        .setCreatedAt(stored.meta().createdAt()).build();
  }

  @Test
  void theCheckpointCarriesTheTestAndTheMessageACopyWithoutWeights() {
    SplitRule split = splitWithTest();
    StoredCheckpoint stored = write(split.toMetrics());
    Map<String, Double> published = ModelPublisher.publishedMetrics(stored.meta().metrics());
    assertTrue(published.keySet().stream().noneMatch(FeatureTest::isWeight), published.keySet().toString());
    assertTrue(published.containsKey("inclass.cut.6"), "the cuts stay, for people");
    byte[] encoded = AvroSerde.modelVersion().encode(message(stored, published));
    System.out.println("ModelVersion with a 2-class feature test: " + encoded.length + " bytes; checkpoint metrics "
        + stored.meta().metrics().size() + " entries, message " + published.size());
    ModelVersion decoded = AvroSerde.modelVersion().decode(encoded);
    try (VictimModel victim = ModelTrust.within(root).load(decoded)) {
      assertEquals(split, victim.split());
      assertEquals(split.featureTest(), victim.split().featureTest());
    }
  }

  @Test
  void aMessageWhoseCutDisagreesWithTheCheckpointIsRefused() {
    StoredCheckpoint stored = write(splitWithTest().toMetrics());
    Map<String, Double> forged = new HashMap<>(ModelPublisher.publishedMetrics(stored.meta().metrics()));
    forged.put("inclass.cut.6", 1e9);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> ModelTrust.within(root).load(message(stored, forged)));
    assertTrue(e.getMessage().contains("inclass.cut.6"), e.getMessage());
  }

  @Test
  void aCheckpointWithPartOfATestIsRefusedRatherThanAppliedInPart() {
    Map<String, Double> metrics = new HashMap<>(splitWithTest().toMetrics());
    metrics.remove("inclass.w.6.77");
    StoredCheckpoint stored = write(metrics);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelTrust.within(root).load(message(stored, ModelPublisher.publishedMetrics(metrics))));
    assertTrue(e.getMessage().contains("class 6 lacks weight 77"), e.getMessage());
  }

  @Test
  void aVersionWithoutATestStillLoadsAsBefore() {
    SplitRule split = SplitRule.global(0.01, 0.2, 0.3, CNN.numClasses());
    StoredCheckpoint stored = write(split.toMetrics());
    try (VictimModel victim = ModelTrust.within(root).load(message(stored, split.toMetrics()))) {
      assertNull(victim.split().featureTest());
      assertFalse(victim.judge(0.2, 3).suspect());
    }
  }
}

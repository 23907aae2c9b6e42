package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.wire.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BeneficiaryConfigTest {

  private final BeneficiaryConfig defaults = BeneficiaryConfig.defaults("localhost:9092", Path.of("ckpt"));

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertEquals(TopicNames.defaults(), defaults.topics());
    assertEquals("sieve-beneficiary", defaults.groupId());
    assertEquals("beneficiary", defaults.modelId());
    assertEquals(128, defaults.batchSize());
    assertEquals(Duration.ofMillis(500), defaults.maxBatchWait());
    assertEquals(1e-3, defaults.learningRate());
    assertEquals(1, defaults.replayRatio());
    assertEquals(60_000, defaults.windowSize());
    assertEquals(200, defaults.checkpointEverySteps());
    assertEquals(42L, defaults.seed());
    assertEquals("victim", defaults.victimModelId());
    assertEquals(RecipeSettings.defaults(), defaults.recipe());
    assertEquals(0.5, defaults.unlabelledWeight());
  }

  @Test
  void theStepRunsWithTheRecipeButThisConfigsLearningRateAndBatchSize() {
    BeneficiaryConfig c = defaults.withRecipe(RecipeSettings.defaults().withAttentionMix(false).withTemperature(2)
        .withLearningRate(0.5f).withBatchSize(7)).withLearningRate(2e-3).withBatchSize(64);
    RecipeSettings step = c.stepSettings();
    assertFalse(step.attentionMix());
    assertEquals(2.0, step.temperature());
    assertEquals(2e-3f, step.learningRate());
    assertEquals(64, step.batchSize());
  }

  @Test
  void withersChangeOneFieldOnly() {
    BeneficiaryConfig c = defaults.withBatchSize(32).withReplayRatio(0).withModelId("b2");
    assertEquals(32, c.batchSize());
    assertEquals(0, c.replayRatio());
    assertEquals("b2", c.modelId());
    assertEquals(defaults.windowSize(), c.windowSize());
    assertEquals(defaults.groupId(), c.groupId());
  }

  @Test
  void refusesValuesThatCannotWorkAndNamesTheField() {
    assertMessage("batchSize must be > 0, got 0", () -> defaults.withBatchSize(0));
    assertMessage("windowSize must be >= batchSize (128)", () -> defaults.withWindowSize(100));
    assertMessage("replayRatio must be >= 0", () -> defaults.withReplayRatio(-1));
    assertMessage("learningRate must be a positive finite number, got NaN", () -> defaults.withLearningRate(Double.NaN));
    assertMessage("modelId must be non-empty [A-Za-z0-9._-]", () -> defaults.withModelId("a/b"));
    assertMessage("maxBatchWait must be a positive duration", () -> defaults.withMaxBatchWait(Duration.ZERO));
    assertMessage("unlabelledWeight must be a finite number >= 0 (0 = credible samples only), got -0.1",
        () -> defaults.withUnlabelledWeight(-0.1));
    assertMessage("victimModelId must not be blank", () -> defaults.withVictimModelId(" "));
    NullPointerException noRecipe = assertThrows(NullPointerException.class, () -> defaults.withRecipe(null));
    assertTrue(noRecipe.getMessage().startsWith("recipe must not be null"), noRecipe.getMessage());
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}

package dev.sieve.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}

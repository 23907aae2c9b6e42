package dev.sieve.stream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.wire.TopicNames;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FilterConfigTest {

  @Test
  void defaultsDescribeFashionMnist() {
    FilterConfig c = FilterConfig.defaults(TopicNames.defaults());
    assertEquals("sieve.samples", c.topics().samples());
    assertEquals("sieve-filter", c.applicationId());
    assertEquals(28 * 28, c.valuesPerImage());
    assertEquals(10, c.numClasses());
    assertEquals(64 * 1024, c.maxRecordBytes());
    assertEquals(256, c.batchSize());
    assertEquals(Duration.ofMillis(200), c.maxBatchWait());
    assertEquals(20_000, c.retractionWindow());
    assertTrue(c.retractionsEnabled());
    assertEquals(false, c.withRetractionWindow(0).retractionsEnabled(), "0 disables retractions");
  }

  @Test
  void punctuatesAtMostEvery50msButNoSlowerThanTheWait() {
    FilterConfig c = FilterConfig.defaults(TopicNames.defaults());
    assertEquals(Duration.ofMillis(50), c.punctuationInterval());
    assertEquals(Duration.ofMillis(20), c.withMaxBatchWait(Duration.ofMillis(20)).punctuationInterval());
  }

  @Test
  void refusesNonsense() {
    FilterConfig c = FilterConfig.defaults(TopicNames.defaults());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.withBatchSize(0));
    assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> c.withMaxBatchWait(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> c.withApplicationId(" "));
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> c.withRetractionWindow(-1));
    assertTrue(negative.getMessage().contains("retractionWindow must be >= 0"), negative.getMessage());
  }
}

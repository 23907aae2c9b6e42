package dev.sieve.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.schemas.LabeledSample;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SampleWindowTest {

  @Test
  void keepsTheNewestAndDropsTheOldest() {
    SampleWindow window = new SampleWindow(5);
    window.addAll(samples(0, 3));
    assertEquals(List.of("s-0", "s-1", "s-2"), ids(window.snapshot()));
    window.addAll(samples(3, 4));
    assertEquals(5, window.size());
    assertEquals(List.of("s-2", "s-3", "s-4", "s-5", "s-6"), ids(window.snapshot()));
    assertEquals("s-2", window.get(0).getId());
    assertThrows(IndexOutOfBoundsException.class, () -> window.get(5));
  }

  @Test
  void drawsDistinctSamplesThatAreInTheWindow() {
    SampleWindow window = new SampleWindow(100);
    window.addAll(samples(0, 250));
    Set<String> inWindow = new HashSet<>(ids(window.snapshot()));
    Random random = new Random(1);
    Set<String> everDrawn = new HashSet<>();
    for (int round = 0; round < 200; round++) {
      List<String> drawn = ids(window.draw(10, random));
      assertEquals(10, drawn.size());
      assertEquals(10, new HashSet<>(drawn).size(), "a draw must not repeat a sample: " + drawn);
      assertTrue(inWindow.containsAll(drawn), "drew samples that were dropped: " + drawn);
      everDrawn.addAll(drawn);
    }
    // 2000 draws over 100 samples: a uniform draw reaches (almost surely) every one of them.
    assertEquals(inWindow, everDrawn);
    // Asking for more than the window holds gives all of it.
    assertEquals(inWindow, new HashSet<>(ids(window.draw(500, random))));
  }

  private static List<LabeledSample> samples(int from, int count) {
    return java.util.stream.IntStream.range(from, from + count)
        .mapToObj(i -> SyntheticSamples.sample("s-" + i, i % 10, new byte[28 * 28]))
        .collect(Collectors.toList());
  }

  private static List<String> ids(List<LabeledSample> samples) {
    return samples.stream().map(LabeledSample::getId).collect(Collectors.toList());
  }
}

package dev.sieve.model.defense.detox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import dev.sieve.schemas.LabeledSample;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SampleReservoirTest {

  @Test
  void keepsAUniformSampleOfFixedSize() {
    List<LabeledSample> stream = FashionMnistSamples.range(0, 2000);
    int[] firstHalf = new int[1];
    for (long seed = 0; seed < 20; seed++) {
      SampleReservoir r = new SampleReservoir(100, seed);
      stream.forEach(r::offer);
      assertEquals(100, r.samples().size());
      assertEquals(2000, r.seen());
      Set<String> ids = new HashSet<>();
      r.samples().forEach(s -> ids.add(s.getId()));
      assertEquals(100, ids.size(), "no sample twice");
      for (LabeledSample s : r.samples()) {
        firstHalf[0] += stream.indexOf(s) < 1000 ? 1 : 0;
      }
    }
    // 2,000 draws; a uniform sample puts half in the first half of the stream (sd about 22).
    assertTrue(Math.abs(firstHalf[0] - 1000) < 100, "first half got " + firstHalf[0] + " of 2000");
  }

  @Test
  void sameSeedSameDrawAndASmallStreamIsKeptWhole() {
    SampleReservoir a = new SampleReservoir(50, 1);
    SampleReservoir b = new SampleReservoir(50, 1);
    FashionMnistSamples.range(0, 500).forEach(s -> {
      a.offer(s);
      b.offer(s);
    });
    assertEquals(a.samples(), b.samples());
    SampleReservoir small = new SampleReservoir(50, 1);
    FashionMnistSamples.range(0, 10).forEach(small::offer);
    assertEquals(FashionMnistSamples.range(0, 10), small.samples());
    assertThrows(IllegalArgumentException.class, () -> new SampleReservoir(0, 1));
  }

  @Test
  void aCleanSetSplitKeepsEverySampleOnce() {
    CleanSet set = CleanSet.split(FashionMnistSamples.range(0, 100), 0.2, 3);
    assertEquals(80, set.tune().size());
    assertEquals(20, set.holdout().size());
    Set<String> ids = new HashSet<>();
    set.tune().forEach(s -> ids.add(s.getId()));
    set.holdout().forEach(s -> ids.add(s.getId()));
    assertEquals(100, ids.size());
    assertThrows(IllegalArgumentException.class, () -> CleanSet.split(FashionMnistSamples.range(0, 1), 0.2, 3));
  }
}

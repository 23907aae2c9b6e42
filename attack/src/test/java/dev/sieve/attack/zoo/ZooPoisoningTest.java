package dev.sieve.attack.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.Attack;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.attack.TestImages;
import dev.sieve.data.FashionMnist;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A draw poisons a range of the training set: labels, ground truth and rates as the draw claims. */
class ZooPoisoningTest {

  private static final FashionMnist.Split SPLIT = TestImages.split(3000);

  @Test
  void twoAttacksAtOncePoisonDisjointSamplesEachAtItsOwnRateAndTarget() {
    List<ZooDraw> pairs = new Zoo(2).draws(200).stream().filter(d -> d.components().size() == 2).limit(12).toList();
    assertEquals(12, pairs.size());
    for (ZooDraw draw : pairs) {
      PoisonedTrainingSet set = new PoisonedTrainingSet(SPLIT, 0, 2000, draw.poisoning(), 5L);
      check(set, draw);
      BitSet first = bits(set.plan(0).indices());
      assertTrue(!first.intersects(bits(set.plan(1).indices())), draw.description() + ": shared samples");
      assertThrows(IllegalStateException.class, set::plan, "two components have no single plan");
    }
  }

  @Test
  void oneAttackDrawsPoisonAsTheirClaim() {
    for (ZooDraw draw : new Zoo(9).draws(40)) {
      if (draw.components().size() == 1) {
        check(new PoisonedTrainingSet(SPLIT, 0, 1000, draw.poisoning(), 3L), draw);
      }
    }
  }

  @Test
  void aRangeKeepsItsImagesIdsAndPerSamplePoison() {
    ZooDraw draw = new Zoo(2).draws(200).stream()
        .filter(d -> d.components().get(0).attack() instanceof dev.sieve.attack.BadNetsTrigger p && p.placement().perSample())
        .findFirst().orElseThrow();
    PoisonedTrainingSet range = new PoisonedTrainingSet(SPLIT, 1000, 2000, draw.poisoning(), 5L);
    assertEquals(2000, range.size());
    assertEquals(1000, range.firstImage());
    assertEquals("fmnist-train-001000", range.sample(0).getId());
    assertEquals("fmnist-train-002999", range.sample(1999).getId());
    check(range, draw);
    assertThrows(IllegalArgumentException.class, () -> new PoisonedTrainingSet(SPLIT, 1001, 2000, draw.poisoning(), 5L));
    assertThrows(IllegalArgumentException.class, () -> new PoisonedTrainingSet(SPLIT, -1, 10, draw.poisoning(), 5L));
    PoisonedTrainingSet clean = new PoisonedTrainingSet(SPLIT, 2500, 500, List.of(), 5L);
    assertEquals(0, clean.poisonedCount());
    assertSame(SPLIT.images()[2500], clean.image(0));
  }

  /** Everything the draw promises about the set's samples. */
  private static void check(PoisonedTrainingSet set, ZooDraw draw) {
    int n = set.size();
    int[] counts = new int[draw.components().size()];
    for (int i = 0; i < n; i++) {
      int image = set.firstImage() + i;
      int k = set.componentOf(i);
      assertEquals(k >= 0, set.isPoisoned(i));
      assertEquals(SPLIT.labels()[image], set.trueLabel(i));
      assertEquals(PoisonedTrainingSet.sampleId(image), set.sample(i).getId());
      if (k < 0) {
        assertEquals(SPLIT.labels()[image], set.label(i), draw.description() + " clean sample " + i);
        assertSame(SPLIT.images()[image], set.image(i), "clean sample " + i + " is published as it is");
        continue;
      }
      counts[k]++;
      Attack attack = draw.components().get(k).attack();
      assertEquals(attack.targetLabel(), set.label(i), draw.description() + ": a dirty-label sample gets the target");
      assertNotEquals(attack.targetLabel(), set.trueLabel(i), draw.description() + ": sample " + i + " had the target");
      assertArrayEquals(attack.poison(SPLIT, new int[] {image}, 0L)[0], set.image(i),
          draw.description() + " sample " + i + " is not the attack's poison of its image");
    }
    int total = 0;
    for (int k = 0; k < counts.length; k++) {
      ZooComponent c = draw.components().get(k);
      assertEquals(Math.round(c.rate() * n), counts[k], c.description() + " over " + n + " samples");
      assertEquals(counts[k], set.plan(k).count());
      total += counts[k];
    }
    assertEquals(total, set.poisonedCount());
  }

  private static BitSet bits(int[] indices) {
    BitSet out = new BitSet();
    for (int i : indices) {
      out.set(i);
    }
    return out;
  }
}

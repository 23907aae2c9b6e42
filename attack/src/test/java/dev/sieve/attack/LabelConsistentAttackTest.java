package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import org.junit.jupiter.api.Test;

/** On 1,000 real training images with a one-epoch surrogate, to stay fast. */
class LabelConsistentAttackTest {

  /** epsilon 0.1 of 255 is 25.5 grey levels; rounding to uint8 may add half a level. */
  private static final int MAX_CHANGE = 26;

  @Test
  void perturbsOnlyTargetClassImagesWithinEpsilonStampsThePatchAndKeepsLabels() throws Exception {
    FashionMnist.Split train = TestImages.fashionMnistHead(1000);
    int targets = 0;
    for (int label : train.labels()) {
      targets += label == 0 ? 1 : 0;
    }
    LabelConsistentAttack attack = new LabelConsistentAttack(0, 1);
    PoisonedTrainingSet data = new PoisonedTrainingSet(train, 1000, 0.3, attack, 11L);

    assertEquals(Math.round(0.3 * targets), data.plan().count(), "30 % of the " + targets + " target-class images");
    double changeSum = 0;
    int changeCount = 0;
    for (int i = 0; i < 1000; i++) {
      assertEquals(data.trueLabel(i), data.label(i), "sample " + i + ": labels stay consistent");
      if (!data.isPoisoned(i)) {
        assertSame(train.images()[i], data.image(i), "clean sample " + i);
        continue;
      }
      assertEquals(0, data.trueLabel(i), "sample " + i + " is not of the target class");
      byte[] before = train.images()[i];
      byte[] after = data.image(i);
      assertTrue(attack.patch().isStamped(after, 28, 28), "sample " + i + " lacks the patch");
      for (int r = 0; r < 28; r++) {
        for (int c = 0; c < 28; c++) {
          if (attack.patch().covers(r, c, 28, 28)) {
            continue;
          }
          int change = Math.abs((after[r * 28 + c] & 0xFF) - (before[r * 28 + c] & 0xFF));
          assertTrue(change <= MAX_CHANGE, "sample " + i + " pixel (" + r + "," + c + ") moved by " + change);
          changeSum += change;
          changeCount++;
        }
      }
    }
    double meanChange = changeSum / changeCount;
    assertTrue(meanChange > 3, "mean PGD change " + meanChange + " grey levels: the perturbation must do something");

    int[] indices = data.plan().indices();
    byte[][] again = attack.poison(train, indices, 11L);
    for (int k = 0; k < indices.length; k++) {
      assertArrayEquals(data.image(indices[k]), again[k], "same seed, same poison for sample " + indices[k]);
    }
  }

  @Test
  void theTestTriggerIsThePatchAlone() {
    byte[] image = TestImages.texture(1);
    assertArrayEquals(new BadNetsTrigger(3, 4).stamp(image, 28, 28), new LabelConsistentAttack(4).trigger(image, 28, 28));
    assertEquals(0, new LabelConsistentAttack(4).poison(TestImages.split(10), new int[0], 1L).length);
  }
}

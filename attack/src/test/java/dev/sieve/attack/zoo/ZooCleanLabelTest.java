package dev.sieve.attack.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sieve.attack.BadNetsTrigger;
import dev.sieve.attack.LabelConsistentAttack;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.attack.SigAttack;
import dev.sieve.attack.TestImages;
import dev.sieve.data.FashionMnist;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The clean-label families of {@code zoo-all:} draws (SIG sinusoids and ramps, label-consistent
 * with a drawn patch) and its wider dirty-label rates, and that {@code zoo:} draws did not move.
 */
class ZooCleanLabelTest {

  @Test
  void zooDrawsAreTheSameAsBeforeTheCleanLabelFamilies() throws IOException {
    // ./sieve zoo --zoo-seed 7 --count 40 at 855281f, the commit before the clean-label families.
    List<String> before;
    try (InputStream in = getClass().getResourceAsStream("zoo-seed7-at-855281f.txt")) {
      before = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    assertEquals(40, before.size());
    Zoo zoo = new Zoo(7);
    for (int i = 0; i < before.size(); i++) {
      ZooDraw draw = zoo.draw(i);
      assertEquals(before.get(i), draw.spec() + "  " + draw.description(), "zoo:7:" + i);
      assertEquals(draw.description(), Zoo.parse("zoo:7:" + i).description());
    }
  }

  @Test
  void allFamiliesAreDrawnWithinTheirRatesAndSpecsNameThemAgain() {
    Set<Family> seen = EnumSet.noneOf(Family.class);
    int above20 = 0;
    int cleanComponents = 0;
    for (ZooDraw draw : Zoo.all(3).draws(600)) {
      assertTrue(draw.spec().startsWith("zoo-all:3:"), draw.spec());
      assertTrue(Zoo.isSpec(draw.spec()));
      assertEquals(draw.description(), Zoo.parse(draw.spec()).description(), draw.spec());
      for (ZooComponent c : draw.components()) {
        seen.add(c.family());
        boolean clean = c.family() == Family.CLEAN_SIGNAL || c.family() == Family.LABEL_CONSISTENT;
        assertEquals(clean, c.attack().cleanLabel(), c.description());
        if (clean) {
          cleanComponents++;
          assertTrue(c.rate() >= 0.20 && c.rate() <= 0.80, c.description() + ": 20-80 % of the target class");
          assertTrue(c.description().endsWith("% of the class"), c.description());
        } else {
          assertTrue(c.rate() >= 0.005 && c.rate() <= 0.30, c.description());
          above20 += c.rate() > 0.20 ? 1 : 0;
        }
      }
    }
    assertEquals(EnumSet.copyOf(Family.ALL), seen);
    assertTrue(cleanComponents > 100, cleanComponents + " clean-label components in 600 draws");
    assertTrue(above20 > 0, "zoo-all's dirty-label rates reach past zoo:'s 20 %");
  }

  @Test
  void aCleanSignalKeepsTheTrueLabelAndPoisonsItsShareOfTheTargetClass() {
    FashionMnist.Split split = TestImages.split(3000);
    List<ZooDraw> draws = singles(Family.CLEAN_SIGNAL);
    boolean sawRamp = false;
    boolean sawSine = false;
    for (ZooDraw draw : draws.subList(0, 6)) {
      ZooComponent c = draw.components().get(0);
      SigAttack sig = (SigAttack) c.attack();
      sawRamp |= sig.shape() == SigAttack.Signal.RAMP;
      sawSine |= sig.shape() == SigAttack.Signal.SINE;
      PoisonedTrainingSet set = new PoisonedTrainingSet(split, 0, 2000, draw.poisoning(), 5L);
      int target = sig.targetLabel();
      int inTarget = 0;
      int poisoned = 0;
      for (int i = 0; i < set.size(); i++) {
        inTarget += set.trueLabel(i) == target ? 1 : 0;
        assertEquals(set.trueLabel(i), set.label(i), draw.description() + ": sample " + i + " keeps its true label");
        if (!set.isPoisoned(i)) {
          assertSame(split.images()[i], set.image(i));
          continue;
        }
        poisoned++;
        assertEquals(target, set.trueLabel(i), draw.description() + ": only the target class is poisoned");
        assertArrayEquals(sig.trigger(split.images()[i], 28, 28), set.image(i), draw.description() + " sample " + i);
      }
      assertEquals(Math.round(c.rate() * inTarget), poisoned, draw.description() + " of " + inTarget);
      // The signal is where it claims: the same per column in every row, a ramp rising left to right.
      byte[] flat = sig.trigger(TestImages.constant(100), 28, 28);
      for (int r = 0; r < 28; r++) {
        for (int col = 0; col < 28; col++) {
          double expected = sig.shape() == SigAttack.Signal.RAMP ? sig.delta() * col / 28
              : sig.delta() * Math.sin(2 * Math.PI * col * sig.frequency() / 28);
          assertEquals(Math.round(100 + expected), flat[r * 28 + col] & 0xFF, draw.description() + " at " + r + "," + col);
        }
      }
    }
    assertTrue(sawRamp && sawSine, "six draws should give both signals");
  }

  @Test
  void aLabelConsistentDrawStampsItsDrawnPatchOnTargetClassSamplesOnly() throws IOException {
    Path dir = FashionMnist.resolveDir(null);
    assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed at " + dir);
    FashionMnist.Split all = FashionMnist.loadTrain(dir);
    FashionMnist.Split train = new FashionMnist.Split("head", Arrays.copyOf(all.images(), 600),
        Arrays.copyOf(all.labels(), 600), all.rows(), all.cols());
    ZooDraw draw = singles(Family.LABEL_CONSISTENT).stream()
        .filter(d -> !((LabelConsistentAttack) d.components().get(0).attack()).patch().placement().perSample())
        .findFirst().orElseThrow();
    ZooComponent c = draw.components().get(0);
    LabelConsistentAttack attack = (LabelConsistentAttack) c.attack();
    BadNetsTrigger patch = attack.patch();
    assertEquals(attack.targetLabel(), patch.targetLabel());
    PoisonedTrainingSet set = new PoisonedTrainingSet(train, 0, 600, draw.poisoning(), 5L);
    int inTarget = 0;
    int poisoned = 0;
    for (int i = 0; i < set.size(); i++) {
      inTarget += set.trueLabel(i) == attack.targetLabel() ? 1 : 0;
      assertEquals(set.trueLabel(i), set.label(i), "sample " + i + " keeps its true label");
      if (set.isPoisoned(i)) {
        poisoned++;
        assertEquals(attack.targetLabel(), set.trueLabel(i));
        assertTrue(patch.isStamped(set.image(i), 28, 28), draw.description() + ": sample " + i + " lacks its patch");
      }
    }
    assertEquals(Math.round(c.rate() * inTarget), poisoned, draw.description() + " of " + inTarget);
    byte[] image = TestImages.texture(2);
    assertArrayEquals(patch.stamp(image, 28, 28), attack.trigger(image, 28, 28), "the test trigger is the patch");
  }

  private static List<ZooDraw> singles(Family family) {
    Predicate<ZooDraw> single = d -> d.components().size() == 1 && d.components().get(0).family() == family;
    return Zoo.all(11).draws(400).stream().filter(single).toList();
  }
}

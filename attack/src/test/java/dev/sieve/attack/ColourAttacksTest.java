package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.zoo.Zoo;
import dev.sieve.attack.zoo.ZooComponent;
import dev.sieve.attack.zoo.ZooDraw;
import dev.sieve.data.FashionMnist;
import dev.sieve.schemas.LabeledSample;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every attack family on tiny 3x32x32 colour images (interleaved RGB): the trigger lands where
 * it claims, in the colours it claims, and the published labels are the ones the plan claims.
 */
class ColourAttacksTest {

  private static final int C = 3;
  private static final int SIDE = 32;

  /** A smooth colour texture, each channel its own, values across the range. */
  static byte[] colourTexture(int variant) {
    byte[] image = new byte[SIDE * SIDE * C];
    for (int r = 0; r < SIDE; r++) {
      for (int c = 0; c < SIDE; c++) {
        for (int ch = 0; ch < C; ch++) {
          double v = 128 + 90 * Math.sin((r + variant + 7 * ch) / 3.0) * Math.cos((c - variant + 5 * ch) / 4.0);
          image[(r * SIDE + c) * C + ch] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return image;
  }

  static FashionMnist.Split colourSplit(int n) {
    byte[][] images = new byte[n][];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      images[i] = colourTexture(i);
      labels[i] = i % 10;
    }
    return new FashionMnist.Split("colour-synthetic", images, labels, SIDE, SIDE, C);
  }

  private static int v(byte[] image, int r, int c, int ch) {
    return image[(r * SIDE + c) * C + ch] & 0xFF;
  }

  /** Channel {@code ch} of an interleaved colour image as a grey image. */
  private static byte[] plane(byte[] image, int ch) {
    byte[] out = new byte[SIDE * SIDE];
    for (int i = 0; i < out.length; i++) {
      out[i] = image[i * C + ch];
    }
    return out;
  }

  @Test
  void aColouredPatchSetsItsSquareInEachChannelToItsShareAndNothingElse() {
    BadNetsTrigger.Colour orange = new BadNetsTrigger.Colour(1, 0.5, 0);
    BadNetsTrigger patch = new BadNetsTrigger(4, 2, BadNetsTrigger.Shape.SOLID, 200, new BadNetsTrigger.At(5, 9), orange);
    byte[] image = colourTexture(3);
    byte[] out = patch.trigger(image, SIDE, SIDE);
    for (int r = 0; r < SIDE; r++) {
      for (int c = 0; c < SIDE; c++) {
        boolean under = r >= 5 && r < 9 && c >= 9 && c < 13;
        assertEquals(under, patch.covers(r, c, SIDE, SIDE));
        for (int ch = 0; ch < C; ch++) {
          int expected = under ? new int[] {200, 100, 0}[ch] : v(image, r, c, ch);
          assertEquals(expected, v(out, r, c, ch), "pixel " + r + "," + c + " channel " + ch);
        }
      }
    }
    assertTrue(patch.isStamped(out, SIDE, SIDE));
    assertTrue(!patch.isStamped(image, SIDE, SIDE));
    assertTrue(patch.name().endsWith("-ff8000"), patch.name());
    // The paper's white patch is white in every channel, flush with the bottom-right corner.
    byte[] white = BadNetsTrigger.defaults().trigger(image, SIDE, SIDE);
    for (int ch = 0; ch < C; ch++) {
      assertEquals(255, v(white, 31, 31, ch));
      assertEquals(255, v(white, 29, 29, ch));
      assertEquals(v(image, 28, 28, ch), v(white, 28, 28, ch));
    }
  }

  @Test
  void aColouredPatchOnAGreyImageIsTheGreyPatch() {
    BadNetsTrigger grey = new BadNetsTrigger(3, 1, BadNetsTrigger.Shape.X, 180, new BadNetsTrigger.At(2, 2));
    byte[] image = TestImages.texture(4);
    assertArrayEquals(grey.trigger(image, 28, 28),
        grey.withColour(new BadNetsTrigger.Colour(0.2, 0.9, 0.4)).trigger(image, 28, 28));
  }

  @Test
  void blendMixesEachChannelWithItsOwnPattern() {
    for (BlendAttack.Pattern pattern : List.of(new BlendAttack.Noise(5), new BlendAttack.Grating(30, 6),
        new BlendAttack.Texture(8))) {
      BlendAttack blend = new BlendAttack(3, 0.2, pattern);
      byte[] image = colourTexture(1);
      byte[] out = blend.trigger(image, SIDE, SIDE);
      byte[] p = pattern.render(C, SIDE, SIDE);
      assertArrayEquals(pattern.render(SIDE, SIDE), plane(p, 0), "channel 0 is the grey pattern");
      assertNotEquals(0, TestImages.meanAbsDifference(plane(p, 1), plane(p, 0)), pattern.id() + ": one pattern per channel");
      assertNotEquals(0, TestImages.meanAbsDifference(plane(p, 2), plane(p, 1)), pattern.id());
      for (int i = 0; i < image.length; i++) {
        assertEquals(Pixels.toUint8(0.8 * (image[i] & 0xFF) + 0.2 * (p[i] & 0xFF)), out[i], pattern.id() + " value " + i);
      }
    }
  }

  @Test
  void warpAndSinusoidTreatEveryChannelAsTheGreyAttackTreatsItsImage() {
    byte[] image = colourTexture(2);
    for (Attack attack : List.of(new WaNetAttack(4), new SigAttack(4), new SigAttack(4, 30, 3, false, SigAttack.Signal.RAMP))) {
      byte[] out = attack.trigger(image, SIDE, SIDE);
      assertEquals(image.length, out.length);
      for (int ch = 0; ch < C; ch++) {
        assertArrayEquals(attack.trigger(plane(image, ch), SIDE, SIDE), plane(out, ch), attack.name() + " channel " + ch);
      }
      assertTrue(TestImages.meanAbsDifference(image, out) > 1, attack.name() + " changes the image");
    }
  }

  @Test
  void poisonedColourSamplesCarryTheTriggerAndTheClaimedLabelsAndShape() {
    FashionMnist.Split split = colourSplit(400);
    for (String spec : List.of("badnets-3x3", "blend-0.2", "wanet", "sig")) {
      Attack attack = Attacks.parse(spec, 4);
      PoisonedTrainingSet set = new PoisonedTrainingSet(split, 400, 0.5, attack, 3L);
      assertTrue(set.poisonedCount() > 0, spec);
      for (int i = 0; i < set.size(); i++) {
        LabeledSample s = set.sample(i);
        assertEquals(3, s.getChannels());
        assertEquals(SIDE, s.getHeight());
        assertEquals(SIDE * SIDE * C, s.getPixels().remaining());
        if (set.isPoisoned(i)) {
          assertEquals(4, set.label(i), spec + " sample " + i);
          assertArrayEquals(attack.trigger(split.images()[i], SIDE, SIDE), set.image(i), spec + " sample " + i);
        } else {
          assertEquals(split.labels()[i], set.label(i));
          assertSame(split.images()[i], set.image(i));
        }
      }
    }
  }

  @Test
  void labelConsistentPerturbsColourImagesWithinEpsilonAndStampsItsPatch() {
    FashionMnist.Split split = colourSplit(200);
    LabelConsistentAttack attack = new LabelConsistentAttack(new BadNetsTrigger(3, 0).withColour(
        new BadNetsTrigger.Colour(0, 1, 1)), 1);
    PoisonedTrainingSet set = new PoisonedTrainingSet(split, 200, 0.5, attack, 9L);
    assertEquals(10, set.poisonedCount(), "half of the 20 target-class images");
    for (int i = 0; i < set.size(); i++) {
      assertEquals(split.labels()[i], set.label(i), "clean-label");
      if (!set.isPoisoned(i)) {
        continue;
      }
      byte[] after = set.image(i);
      assertTrue(attack.patch().isStamped(after, SIDE, SIDE), "sample " + i);
      assertEquals(0, v(after, 31, 31, 0));
      assertEquals(255, v(after, 31, 31, 1));
      for (int r = 0; r < SIDE; r++) {
        for (int c = 0; c < SIDE; c++) {
          for (int ch = 0; ch < C && !attack.patch().covers(r, c, SIDE, SIDE); ch++) {
            assertTrue(Math.abs(v(after, r, c, ch) - v(split.images()[i], r, c, ch)) <= 26, "sample " + i);
          }
        }
      }
    }
  }

  @Test
  void zooDrawsPoisonColourImagesAsClaimedWithColouredPatches() {
    FashionMnist.Split split = colourSplit(600);
    int colouredPatches = 0;
    for (ZooDraw draw : new Zoo(7).draws(40)) {
      PoisonedTrainingSet set = new PoisonedTrainingSet(split, 0, 600, draw.poisoning(), 5L);
      for (int i = 0; i < set.size(); i++) {
        int k = set.componentOf(i);
        if (k < 0) {
          assertSame(split.images()[i], set.image(i));
          continue;
        }
        ZooComponent component = draw.components().get(k);
        assertEquals(component.attack().targetLabel(), set.label(i), draw.spec());
        if (component.attack() instanceof BadNetsTrigger patch) {
          assertTrue(patch.isStamped(set.image(i), SIDE, SIDE), draw.spec() + " sample " + i);
          assertNotEquals(BadNetsTrigger.Colour.WHITE, patch.colour(), draw.spec());
          colouredPatches++;
        } else {
          assertArrayEquals(component.attack().trigger(split.images()[i], SIDE, SIDE), set.image(i), draw.spec());
        }
      }
    }
    assertTrue(colouredPatches > 0, "zoo:7:0..39 has patch draws");
  }
}

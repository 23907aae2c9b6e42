package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.schemas.LabeledSample;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PoisonedTrainingSetTest {

  @Test
  void dirtyLabelSamplesCarryTheTriggerAndTheTargetLabel() {
    FashionMnist.Split split = TestImages.split(200);
    Attack blend = Attacks.parse("blend-0.2", 1);
    PoisonedTrainingSet data = new PoisonedTrainingSet(split, 150, 0.2, blend, 9L);

    assertEquals(150, data.size());
    assertEquals(30, data.plan().count());
    assertSame(blend, data.attack());
    List<LabeledSample> samples = data.samples();
    for (int i = 0; i < 150; i++) {
      LabeledSample s = samples.get(i);
      assertEquals(split.labels()[i], data.trueLabel(i));
      assertEquals(data.label(i), s.getLabel());
      assertArrayEquals(data.image(i), bytes(s.getPixels()));
      if (data.isPoisoned(i)) {
        assertEquals(1, data.label(i));
        assertTrue(split.labels()[i] != 1, "sample " + i + " already had the target label");
        assertArrayEquals(blend.trigger(split.images()[i], 28, 28), data.image(i), "sample " + i);
      } else {
        assertEquals(split.labels()[i], data.label(i));
        assertSame(split.images()[i], data.image(i), "clean sample " + i + " is published as it is");
      }
    }
    assertArrayEquals(TestImages.texture(0), split.images()[0], "the data set itself stays clean");
  }

  @Test
  void cleanLabelSamplesComeFromTheTargetClassAndKeepTheirLabels() {
    FashionMnist.Split split = TestImages.split(400); // 40 per class
    PoisonedTrainingSet data = new PoisonedTrainingSet(split, 400, 0.5, Attacks.parse("sig", 2), 3L);

    assertEquals(20, data.plan().count(), "half of the 40 target-class samples");
    for (int i = 0; i < 400; i++) {
      assertEquals(data.trueLabel(i), data.label(i), "a clean-label attack never changes a label");
      if (data.isPoisoned(i)) {
        assertEquals(2, data.trueLabel(i));
      }
    }
  }

  @Test
  void poisonsOnceInTheConstructorAndSkipsTheAttackWhenThereIsNothingToPoison() {
    FashionMnist.Split split = TestImages.split(100);
    AtomicInteger calls = new AtomicInteger();
    Attack counting = new CountingAttack(calls, false);
    PoisonedTrainingSet data = new PoisonedTrainingSet(split, 100, 0.1, counting, 1L);
    data.samples();
    data.samples();
    assertEquals(1, calls.get());
    new PoisonedTrainingSet(split, 100, 0.0, counting, 1L);
    assertEquals(1, calls.get(), "a plan without poison must not run the attack");
  }

  @Test
  void refusesAnAttackThatReturnsTheWrongNumberOfImagesAndIndicesOutsideTheSet() {
    FashionMnist.Split split = TestImages.split(100);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new PoisonedTrainingSet(split, 100, 0.1, new CountingAttack(new AtomicInteger(), true), 1L));
    assertTrue(e.getMessage().contains("counting") && e.getMessage().contains("10"), e.getMessage());
    PoisonedTrainingSet data = new PoisonedTrainingSet(split, 50, 0.1, BadNetsTrigger.defaults(), 1L);
    assertThrows(IndexOutOfBoundsException.class, () -> data.image(50));
    assertThrows(IndexOutOfBoundsException.class, () -> data.label(-1));
    assertThrows(IllegalArgumentException.class, () -> new PoisonedTrainingSet(split, 101, 0.1, BadNetsTrigger.defaults(), 1L));
  }

  /** BadNets that counts its poison calls, or returns one image too few. */
  private record CountingAttack(AtomicInteger calls, boolean dropOne) implements Attack {
    @Override
    public String name() {
      return "counting";
    }

    @Override
    public int targetLabel() {
      return 0;
    }

    @Override
    public boolean cleanLabel() {
      return false;
    }

    @Override
    public byte[][] poison(FashionMnist.Split train, int[] indices, long seed) {
      calls.incrementAndGet();
      byte[][] out = BadNetsTrigger.defaults().poison(train, indices, seed);
      return dropOne ? java.util.Arrays.copyOf(out, out.length - 1) : out;
    }

    @Override
    public byte[] trigger(byte[] image, int rows, int cols) {
      return BadNetsTrigger.defaults().trigger(image, rows, cols);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}

package dev.sieve.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every attack promises, checked on each spec {@link Attacks#names()} lists. */
class AttackContractTest {

  static Iterable<String> specs() {
    return Attacks.names();
  }

  @ParameterizedTest
  @MethodSource("specs")
  void triggerIsDeterministicKeepsTheShapeLeavesTheInputAndChangesTheImage(String spec) {
    byte[] image = TestImages.texture(3);
    byte[] original = image.clone();
    byte[] once = Attacks.parse(spec, 4).trigger(image, 28, 28);
    byte[] twice = Attacks.parse(spec, 4).trigger(image, 28, 28);

    assertArrayEquals(original, image, spec + " modified its input");
    assertEquals(784, once.length, spec);
    assertArrayEquals(once, twice, spec + " must trigger the same way in every instance and run");
    assertFalse(Arrays.equals(original, once), spec + " left the image unchanged");
  }

  @ParameterizedTest
  @MethodSource("specs")
  void nameParsesBackToTheSameAttackAndTheTargetIsKept(String spec) {
    Attack attack = Attacks.parse(spec, 7);
    assertEquals(spec, attack.name());
    assertEquals(7, attack.targetLabel());
    assertEquals(spec.equals("sig") || spec.equals("label-consistent"), attack.cleanLabel(), spec);
    assertEquals(attack.name(), Attacks.parse(attack.name().toUpperCase(java.util.Locale.ROOT), 7).name());
  }

  @ParameterizedTest
  @MethodSource("specs")
  void rejectsImagesThatAreNotRowsTimesCols(String spec) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Attacks.parse(spec, 0).trigger(new byte[783], 28, 28));
    assertTrue(e.getMessage().contains("783") && e.getMessage().contains("784"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("specs")
  void poisonOfTriggerOnlyAttacksIsTheirTriggerOnTheChosenImages(String spec) {
    Attack attack = Attacks.parse(spec, 0);
    if (attack instanceof LabelConsistentAttack) {
      return; // its poison runs PGD first; LabelConsistentAttackTest covers it
    }
    FashionMnist.Split split = TestImages.split(30);
    byte[][] before = Arrays.stream(split.images()).map(byte[]::clone).toArray(byte[][]::new);
    int[] indices = {2, 5, 29};
    byte[][] poisoned = attack.poison(split, indices, 1L);

    assertEquals(3, poisoned.length);
    for (int k = 0; k < indices.length; k++) {
      assertArrayEquals(attack.trigger(split.images()[indices[k]], 28, 28), poisoned[k], spec + " index " + indices[k]);
    }
    for (int i = 0; i < split.size(); i++) {
      assertArrayEquals(before[i], split.images()[i], spec + " modified training image " + i);
    }
    assertThrows(IndexOutOfBoundsException.class, () -> attack.poison(split, new int[] {30}, 1L));
  }
}

package dev.sieve.attack.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sieve.attack.Attack;
import dev.sieve.attack.LabelConsistentAttack;
import dev.sieve.attack.PoisonComponent;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.attack.TestImages;
import dev.sieve.data.FashionMnist;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bytes of {@code zoo:7:0..39} and {@code zoo-all:7:0..39} on 1x28x28 images, pinned before
 * the attacks learnt colour images and other shapes: for each draw, one SHA-256 over every
 * published label and image of a poisoned synthetic range and over the test-time trigger of each
 * component on 20 images. Label-consistent components contribute their plan and trigger but not
 * their PGD-perturbed images: those come from a surrogate trained with floating point whose
 * last bits need not repeat across machines, and the PGD code was not touched.
 */
class ZooBytesPinTest {

  private static final FashionMnist.Split SPLIT = TestImages.split(1000);
  private static final int DRAWS = 40;

  @Test
  void zooDrawsPoisonTheSameBytesAsAt1cb9266() throws IOException {
    assertEquals(pinned("zoo-bytes-seed7-at-1cb9266.txt"), digests(new Zoo(7)));
  }

  @Test
  void zooAllDrawsPoisonTheSameBytesAsAt1cb9266() throws IOException {
    assertEquals(pinned("zoo-all-bytes-seed7-at-1cb9266.txt"), digests(Zoo.all(7)));
  }

  private static List<String> digests(Zoo zoo) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < DRAWS; i++) {
      ZooDraw draw = zoo.draw(i);
      out.add(draw.spec() + " " + digest(draw));
    }
    return out;
  }

  private static String digest(ZooDraw draw) {
    MessageDigest sha = sha256();
    List<PoisonComponent> components = new ArrayList<>();
    for (PoisonComponent c : draw.poisoning()) {
      Attack a = c.attack();
      // The plan and the trigger only; see the class comment.
      components.add(a instanceof LabelConsistentAttack ? new PoisonComponent(patchOnly(a), c.rate()) : c);
      for (int k = 0; k < 20; k++) {
        sha.update(a.trigger(TestImages.texture(k), 28, 28));
      }
    }
    PoisonedTrainingSet set = new PoisonedTrainingSet(SPLIT, 0, SPLIT.size(), components, 11L);
    for (int p = 0; p < set.size(); p++) {
      sha.update(ByteBuffer.allocate(4).putInt(set.label(p)).array());
      sha.update(set.image(p));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The attack with its training poison replaced by its trigger: its plan (clean-label) stays. */
  private static Attack patchOnly(Attack attack) {
    return new Attack() {
      @Override
      public String name() {
        return attack.name();
      }

      @Override
      public int targetLabel() {
        return attack.targetLabel();
      }

      @Override
      public boolean cleanLabel() {
        return attack.cleanLabel();
      }

      @Override
      public byte[] trigger(byte[] image, int rows, int cols) {
        return attack.trigger(image, rows, cols);
      }
    };
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> pinned(String resource) throws IOException {
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}

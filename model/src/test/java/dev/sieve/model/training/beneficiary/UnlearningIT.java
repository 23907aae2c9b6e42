package dev.sieve.model.training.beneficiary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.SyntheticSamples;
import dev.sieve.schemas.LabeledSample;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ABL's isolate-then-unlearn on real Fashion-MNIST images and real DJL training: a planted 3x3
 * white patch towards class 0 (200 poisoned of 2,200, half of class 0) that a plain Beneficiary
 * learns. What holds, and is asserted: the isolation finds the poison (the lowest-loss tenth of
 * class 0 after one epoch is mostly poison, against a base rate of about half), the schedule leaves
 * the isolated samples out and runs its unlearning passes, and flattening stays bounded where
 * capped ascent collapsed the clean task to chance.
 *
 * <p>What does NOT hold, and is logged rather than asserted: unlearning does not lower the ASR
 * here. Measured on the loaded 2-core machine (load 20-30) with this commit's code: plain CA 0.777 / ASR 0.956;
 * flatten + rehearsal CA 0.577 / ASR 0.962; capped ascent + rehearsal (5 passes) CA 0.43 / ASR
 * 0.999; capped ascent alone CA 0.10 / ASR 1.0. The isolated tenth holds 32 of the 200 poisoned
 * samples; the other 168 keep teaching the trigger (docs/evaluation.md, "Unlearning what slipped
 * through"). Slow (three trainings, about 7 minutes on the loaded machine): {@code -Pslow}.
 */
@Tag("slow")
class UnlearningIT {

  private static final Logger LOG = LoggerFactory.getLogger(UnlearningIT.class);
  private static final Architecture ARCH = Architecture.FMNIST_CNN_V1;
  private static final int TARGET = 0;

  @Test
  void isolationFindsThePlantedPoisonAndFlatteningStaysBounded() {
    List<LabeledSample> clean = FashionMnistSamples.range(0, 2000);
    List<LabeledSample> poison = new ArrayList<>();
    for (LabeledSample s : FashionMnistSamples.range(2000, 2400)) {
      if (s.getLabel() != TARGET && poison.size() < 200) {
        poison.add(SyntheticSamples.sample("poison-" + s.getId(), TARGET, patched(s)));
      }
    }
    List<LabeledSample> train = new ArrayList<>(clean);
    train.addAll(poison);
    Collections.shuffle(train, new Random(1));
    List<LabeledSample> heldOut = FashionMnistSamples.range(3000, 4000);
    List<LabeledSample> triggered = heldOut.stream().filter(s -> s.getLabel() != TARGET)
        .map(s -> SyntheticSamples.sample("t-" + s.getId(), s.getLabel(), patched(s))).toList();
    BeneficiarySchedule.Plan plan = new BeneficiarySchedule.Plan(3, 0, 0, 0);

    double[] plain = trainAndMeasure(train, plan, null, heldOut, triggered, new ArrayList<>(), new ArrayList<>());
    float chance = (float) Math.log(10);
    double[] ascended = trainAndMeasure(train, plan, new Unlearning(0.1, 1, 5, chance, false, false), heldOut,
        triggered, new ArrayList<>(), new ArrayList<>());
    List<LabeledSample> isolated = new ArrayList<>();
    List<String> phases = new ArrayList<>();
    double[] flattened = trainAndMeasure(train, plan, Unlearning.defaults().withShare(0.1), heldOut, triggered,
        isolated, phases);

    Set<String> poisonIds = poison.stream().map(LabeledSample::getId).collect(Collectors.toSet());
    long inTarget = train.stream().filter(s -> s.getLabel() == TARGET).count();
    long isolatedTarget = isolated.stream().filter(s -> s.getLabel() == TARGET).count();
    long isolatedPoison = isolated.stream().filter(s -> poisonIds.contains(s.getId())).count();
    LOG.info("plain: CA {} ASR {}; capped ascent: CA {} ASR {}; flatten + rehearsal: CA {} ASR {}; isolated {} "
        + "({} of class 0's {}, {} of them poison)", plain[0], plain[1], ascended[0], ascended[1], flattened[0],
        flattened[1], isolated.size(), isolatedTarget, inTarget, isolatedPoison);

    assertTrue(plain[1] > 0.5, "the plain Beneficiary should have learnt the planted trigger: ASR " + plain[1]);
    assertEquals((long) Math.ceil(0.1 * inTarget), isolatedTarget, "a tenth of class 0, rounded up");
    double baseRate = (double) poison.size() / inTarget;
    assertTrue(isolatedPoison > (baseRate + 0.15) * isolatedTarget, isolatedPoison + " of " + isolatedTarget
        + " isolated class-0 samples are poison, base rate " + baseRate + ": the trigger's samples should fit best");
    assertTrue(isolated.stream().noneMatch(s -> s.getLabel() != TARGET && poisonIds.contains(s.getId())));
    assertEquals(List.of("1 mix", "2 mix", "3 mix", "4 unlearn", "5 unlearn", "6 unlearn", "7 unlearn", "8 unlearn"),
        phases);
    // Bounded: flattening cannot push a sample past "no idea"; unrehearsed capped ascent hands the
    // clean images to the trigger's class, close to chance.
    assertTrue(flattened[0] > ascended[0] + 0.2, "flatten CA " + flattened[0] + " vs capped ascent " + ascended[0]);
    assertTrue(flattened[0] > 0.4, "flatten CA " + flattened[0] + " should stay far above chance (0.1)");
  }

  private static double[] trainAndMeasure(List<LabeledSample> train, BeneficiarySchedule.Plan plan,
      Unlearning unlearning, List<LabeledSample> heldOut, List<LabeledSample> triggered, List<LabeledSample> isolated,
      List<String> phases) {
    try (Network net = Network.create(ARCH, 7);
        BeneficiaryStep step = new BeneficiaryStep(net, RecipeSettings.defaults(), 11)) {
      isolated.addAll(BeneficiarySchedule.train(step, train, List.of(), null, plan, unlearning, 5,
          (epoch, phase, loss, samples) -> phases.add(epoch + " " + phase)));
      int[] clean = net.predict(heldOut);
      int correct = 0;
      for (int i = 0; i < clean.length; i++) {
        correct += clean[i] == heldOut.get(i).getLabel() ? 1 : 0;
      }
      int[] attacked = net.predict(triggered);
      int hits = 0;
      for (int p : attacked) {
        hits += p == TARGET ? 1 : 0;
      }
      return new double[] {(double) correct / clean.length, (double) hits / attacked.length};
    }
  }

  /** The image with a white 3x3 patch in the bottom-right corner. */
  private static byte[] patched(LabeledSample s) {
    ByteBuffer buffer = s.getPixels().duplicate();
    byte[] pixels = new byte[buffer.remaining()];
    buffer.get(pixels);
    for (int r = 25; r < 28; r++) {
      for (int c = 25; c < 28; c++) {
        pixels[r * 28 + c] = (byte) 255;
      }
    }
    return pixels;
  }
}

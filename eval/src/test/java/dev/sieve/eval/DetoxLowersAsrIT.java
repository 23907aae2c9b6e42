package dev.sieve.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.Attack;
import dev.sieve.attack.Attacks;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.eval.metrics.ModelQuality;
import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.defense.detox.CleanSet;
import dev.sieve.model.defense.detox.DetoxMethod;
import dev.sieve.model.defense.detox.DetoxResult;
import dev.sieve.model.defense.detox.DetoxSettings;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.schemas.LabeledSample;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End to end on real data: a model trained on Fashion-MNIST with 10 % BadNets poison carries the
 * backdoor (ASR near 1), and each detox method, given 500 clean samples it never trained on,
 * returns a model whose ASR on the real test set is lower while its clean accuracy holds within
 * 10 points. How much lower differs by method, and the bounds say what was measured (with room
 * for run-to-run noise): D3 about 0.08, Fine-Pruning about 0.32, ℓ∞ pruning about 0.58.
 */
@Tag("slow")
class DetoxLowersAsrIT {

  private static final int TRAIN = 10_000;
  private static final Map<DetoxMethod, Double> MAX_ASR_AFTER = Map.of(
      DetoxMethod.D3, 0.25, DetoxMethod.FINE_PRUNING, 0.6, DetoxMethod.LINF_PRUNING, 0.8);
  private static FashionMnist.Split test;
  private static Attack attack;
  private static Network poisoned;
  private static ModelQuality before;
  private static CleanSet clean;

  @BeforeAll
  static void trainPoisonedModel() throws Exception {
    FashionMnist data = FashionMnist.load(FashionMnist.resolveDir(null));
    test = data.test();
    attack = Attacks.parse("badnets-3x3", 0);
    PoisonedTrainingSet set = new PoisonedTrainingSet(data.train(), TRAIN, 0.1, attack, 7);
    poisoned = Network.create(Architecture.FMNIST_CNN_V1, 7);
    try (ClassifierTrainer trainer = new ClassifierTrainer(poisoned, 1e-3f)) {
      Random order = new Random(7);
      for (int epoch = 0; epoch < 3; epoch++) {
        trainer.epoch(set.samples(), 128, order, done -> { });
      }
    }
    before = ModelQuality.measure(poisoned, test, attack);
    // Clean samples the model never saw: the training images after the poisoned set's.
    List<LabeledSample> cleanSamples = new PoisonedTrainingSet(data.train(), TRAIN + 500, 0.0, attack, 7).samples()
        .subList(TRAIN, TRAIN + 500);
    clean = CleanSet.split(cleanSamples, CleanSet.DEFAULT_HOLDOUT_SHARE, 7);
    System.out.println("poisoned model: " + before.summaryLine());
  }

  @AfterAll
  static void close() {
    if (poisoned != null) {
      poisoned.close();
    }
  }

  @ParameterizedTest
  @EnumSource(DetoxMethod.class)
  void detoxLowersTheAttackSuccessRateOfABadNetsModel(DetoxMethod method) {
    assertTrue(before.attackSuccessRate() > 0.9, "the poisoned model must carry the backdoor: " + before.summaryLine());
    DetoxResult result = method.apply(poisoned, clean, DetoxSettings.defaults(), 7, System.out::println);
    try (Network detoxed = result.network()) {
      ModelQuality after = ModelQuality.measure(detoxed, test, attack);
      System.out.println(method.id() + ": " + after.summaryLine() + " " + result.report() + " in "
          + String.format("%.1f s", result.seconds()));
      assertTrue(after.attackSuccessRate() < MAX_ASR_AFTER.get(method),
          method.id() + " left ASR " + after.attackSuccessRate() + " (before " + before.attackSuccessRate() + ")");
      assertTrue(after.cleanAccuracy() > before.cleanAccuracy() - 0.10,
          method.id() + " cost too much clean accuracy: " + before.cleanAccuracy() + " -> " + after.cleanAccuracy());
    }
    // The input checkpoint is untouched.
    assertEquals(before.attackSuccessRate(), ModelQuality.measure(poisoned, test, attack).attackSuccessRate(),
        "detox must leave its input alone");
  }
}

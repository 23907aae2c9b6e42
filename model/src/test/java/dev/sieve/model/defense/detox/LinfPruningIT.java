package dev.sieve.model.defense.detox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.model.Network;
import dev.sieve.model.training.beneficiary.FashionMnistSamples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinfPruningIT {

  @Test
  void anomalyIndexIsTheDistanceBelowTheMedianInScaledDeviations() {
    double[] norms = {10, 12, 14, 16, 2};
    // median 12; deviations 2,0,2,4,10 -> median 2; MAD 1.4826 * 2
    assertEquals((12 - 2) / (1.4826 * 2), TriggerReverser.anomalyIndex(norms, 2), 1e-12);
    assertEquals(0, TriggerReverser.anomalyIndex(new double[] {5, 5, 5}, 5), 1e-12);
  }

  @Test
  void findsThePlantedTargetAndPrunesWhatItsTriggerExcites() {
    // Every 4th non-target image carries a 4x4 corner patch and the target label.
    try (Network network = TinyModels.trained(TinyModels.poisoned(0, 1500, 4), 3, 9)) {
      assertTrue(TinyModels.attackSuccess(network, 2000, 2500) > 0.8, "the tiny model learnt the planted backdoor");
      CleanSet clean = CleanSet.split(FashionMnistSamples.range(1500, 1900), 0.25, 9);
      DetoxSettings settings = DetoxSettings.defaults().withReverseSteps(60);
      // The method reverse-engineers the trigger once and reports the target it found: asserted
      // from its report rather than by a second reverse-engineering of the same network.
      List<String> progress = new ArrayList<>();
      DetoxResult result = DetoxMethod.LINF_PRUNING.apply(network, clean, settings, 9, progress::add);
      assertEquals(TinyModels.TARGET, result.report().get("suspectedTarget").intValue(),
          "the smallest reversed mask is the planted target's: " + result.report() + " " + progress);
      try (Network pruned = result.network()) {
        assertTrue(result.report().get("prunedChannels") >= 1, result.report().toString());
        assertTrue(result.report().get("reversedSuccessAfter") < result.report().get("reversedSuccessBefore"),
            "pruning weakens the reversed trigger: " + result.report());
        assertTrue(TinyModels.attackSuccess(pruned, 2000, 2500) < TinyModels.attackSuccess(network, 2000, 2500),
            "and the real one");
      }
    }
  }
}

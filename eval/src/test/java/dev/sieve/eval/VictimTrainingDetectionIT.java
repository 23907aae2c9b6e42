package dev.sieve.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.BadNetsTrigger;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.model.Architecture;
import dev.sieve.model.defense.split.SplitPolicies;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.VictimTraining;
import dev.sieve.schemas.LabeledSample;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Victim schedule on real Fashion-MNIST without a broker: warm-up plus the bootstrap rounds on
 * a 10,000-sample head with 10 % BadNets, then the published split must find the poison.
 */
@Tag("slow")
class VictimTrainingDetectionIT {

  @Test
  void findsBadNetsPoisonOnATenThousandSampleHeadWithFewFalseAlarms() throws Exception {
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    PoisonedTrainingSet data = new PoisonedTrainingSet(train, 10_000, 0.1, BadNetsTrigger.defaults(), 7);
    List<LabeledSample> head = data.samples();
    VictimSchedule.Plan config = VictimSchedule.Plan.defaults();
    try (VictimTraining victim = new VictimTraining(Architecture.FMNIST_CNN_V1, SplitPolicies.defaultPolicy(),
        config.batchSize(), config.learningRate(), config.seed())) {
      long started = System.nanoTime();
      victim.warmUp(head, done -> { });
      for (int r = 0; r < config.bootstrapRounds(); r++) {
        victim.retrainOnSuspicious(head);
      }
      VictimTraining.Split split = victim.split(head);
      int tp = 0;
      int fp = 0;
      int poisoned = 0;
      for (int i = 0; i < head.size(); i++) {
        boolean isPoisoned = data.isPoisoned(i);
        poisoned += isPoisoned ? 1 : 0;
        tp += isPoisoned && split.suspicious()[i] ? 1 : 0;
        fp += !isPoisoned && split.suspicious()[i] ? 1 : 0;
      }
      double recall = (double) tp / poisoned;
      double fpr = (double) fp / (head.size() - poisoned);
      System.out.printf(Locale.ROOT, "offline 10k/10%% BadNets: recall %.4f FPR %.4f (%d quarantined) in %.1fs%n",
          recall, fpr, tp + fp, (System.nanoTime() - started) / 1e9);
      assertTrue(recall >= 0.9, "recall " + recall);
      assertTrue(fpr <= 0.05, "FPR " + fpr);
    }
  }
}

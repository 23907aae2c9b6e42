package dev.sieve.model.training.beneficiary;

import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The offline Beneficiary schedule: epochs over fixed credible and suspicious lists with one
 * {@link BeneficiaryStep}. V&B trains 100 AttentionMix epochs, then 50 with suppression at λ 0.1
 * and 50 at λ 0.5; the default plan keeps those proportions on a CPU budget.
 *
 * <p>In a suppression epoch every credible batch is paired with a slice of the suspicious samples
 * of size {@code ceil(|suspicious| / batches)}, so each epoch also goes once over the suspicious
 * set (V&B sizes its unlabelled batches the same way).
 */
public final class BeneficiarySchedule {

  /** Phase names given to the {@link EpochListener}. */
  public static final String MIX = "mix";
  public static final String SUPPRESSION = "suppression";
  public static final String UNLEARN = "unlearn";

  private BeneficiarySchedule() {}

  /**
   * @param mixEpochs AttentionMix epochs on the credible set, no Victim
   * @param suppressionEpochs epochs with Victim suppression and the unlabelled loss
   * @param lambdaEarly λ in the first half of the suppression epochs (the larger half when odd)
   * @param lambdaLate λ in the second half
   */
  public record Plan(int mixEpochs, int suppressionEpochs, double lambdaEarly, double lambdaLate) {

    public Plan {
      if (mixEpochs < 0 || suppressionEpochs < 0) {
        throw new IllegalArgumentException("epochs are " + mixEpochs + " mix and " + suppressionEpochs
            + " suppression, expected counts >= 0");
      }
      if (!(lambdaEarly >= 0) || !(lambdaLate >= 0) || Double.isInfinite(lambdaEarly) || Double.isInfinite(lambdaLate)) {
        throw new IllegalArgumentException("lambdas are " + lambdaEarly + " and " + lambdaLate
            + ", expected finite weights >= 0");
      }
    }

    /** 4 mix epochs, then 2 suppression epochs at λ 0.1 then 0.5: V&B's 100 + 50 + 50 on a budget. */
    public static Plan defaults() {
      return new Plan(4, 2, 0.1, 0.5);
    }

    /** λ of suppression epoch {@code index} (0-based within the suppression phase). */
    public double lambdaAt(int index) {
      return 2 * index < suppressionEpochs ? lambdaEarly : lambdaLate;
    }
  }

  /** Hears the end of every epoch: 1-based over both phases, mean loss per step, samples trained on (both sets). */
  @FunctionalInterface
  public interface EpochListener {
    EpochListener NONE = (epoch, phase, meanLoss, samples) -> { };

    void onEpoch(int epoch, String phase, double meanLoss, int samples);
  }

  /**
   * Runs the plan. The batch size comes from the step's settings.
   *
   * @param victim the Victim for the suppression epochs; required when the plan has any
   * @throws IllegalArgumentException when the plan has suppression epochs but there is no Victim,
   *     or there are no credible samples
   */
  public static void train(BeneficiaryStep step, List<LabeledSample> credible, List<LabeledSample> suspicious,
      Network victim, Plan plan, long seed, EpochListener listener) {
    train(step, credible, suspicious, victim, plan, null, seed, listener);
  }

  /**
   * Runs the plan, and with {@code unlearning} ABL's isolate-then-unlearn around it (see {@link
   * Unlearning}): after its first {@code isolationEpochs} mix epochs (which count towards the
   * plan's, and run even when the plan has fewer), the isolated samples leave the credible set;
   * after the suppression epochs come {@code ascentEpochs} of bounded ascent on them, each ascent
   * batch followed by one mix step on a batch of the rest.
   *
   * @param unlearning null for V&amp;B's recipe alone
   * @return the isolated samples, in credible order; empty without unlearning
   */
  public static List<LabeledSample> train(BeneficiaryStep step, List<LabeledSample> credible,
      List<LabeledSample> suspicious, Network victim, Plan plan, Unlearning unlearning, long seed,
      EpochListener listener) {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(suspicious, "suspicious");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(listener, "listener");
    if (credible == null || credible.isEmpty()) {
      throw new IllegalArgumentException("the Beneficiary schedule needs credible samples, got "
          + (credible == null ? "null" : "none"));
    }
    if (plan.suppressionEpochs() > 0 && victim == null) {
      throw new IllegalArgumentException("plan has " + plan.suppressionEpochs()
          + " suppression epochs but no Victim was given; pass the Victim or a plan with 0 suppression epochs");
    }
    int batchSize = step.settings().batchSize();
    Random random = new Random(seed);
    int epoch = 0;
    List<LabeledSample> labelled = credible;
    List<LabeledSample> isolated = List.of();
    int mixEpochs = unlearning == null ? plan.mixEpochs() : Math.max(plan.mixEpochs(), unlearning.isolationEpochs());
    for (int e = 0; e < mixEpochs; e++) {
      if (unlearning != null && e == unlearning.isolationEpochs()) {
        boolean[] flags = Unlearning.isolate(step.network(), labelled, unlearning.isolationShare());
        isolated = select(labelled, flags, true);
        labelled = select(labelled, flags, false);
      }
      List<LabeledSample> order = shuffled(labelled, random);
      int batches = batches(order.size(), batchSize);
      double lossSum = 0;
      for (int b = 0; b < batches; b++) {
        lossSum += step.step(slice(order, b, batchSize), List.of(), null, 0);
      }
      listener.onEpoch(++epoch, MIX, lossSum / batches, order.size());
    }
    if (unlearning != null && mixEpochs == unlearning.isolationEpochs()) {
      boolean[] flags = Unlearning.isolate(step.network(), labelled, unlearning.isolationShare());
      isolated = select(labelled, flags, true);
      labelled = select(labelled, flags, false);
    }
    int batches = batches(labelled.size(), batchSize);
    int unlabelledPerBatch = (suspicious.size() + batches - 1) / batches;
    for (int e = 0; e < plan.suppressionEpochs(); e++) {
      double lambda = plan.lambdaAt(e);
      List<LabeledSample> order = shuffled(labelled, random);
      List<LabeledSample> unlabelledOrder = shuffled(suspicious, random);
      double lossSum = 0;
      int samples = 0;
      for (int b = 0; b < batches; b++) {
        List<LabeledSample> batch = slice(order, b, batchSize);
        List<LabeledSample> unlabelled = unlabelledPerBatch == 0 ? List.of() : slice(unlabelledOrder, b, unlabelledPerBatch);
        lossSum += step.step(batch, unlabelled, victim, lambda);
        samples += batch.size() + unlabelled.size();
      }
      listener.onEpoch(++epoch, SUPPRESSION, lossSum / batches, samples);
    }
    if (unlearning != null && !isolated.isEmpty()) {
      for (int e = 0; e < unlearning.ascentEpochs(); e++) {
        List<LabeledSample> forget = shuffled(isolated, random);
        List<LabeledSample> rehearse = shuffled(labelled, random);
        int ascentBatches = batches(forget.size(), batchSize);
        int rehearseBatches = batches(rehearse.size(), batchSize);
        double lossSum = 0;
        for (int b = 0; b < ascentBatches; b++) {
          List<LabeledSample> batch = slice(forget, b, batchSize);
          lossSum += unlearning.flatten() ? step.flatten(batch) : step.ascend(batch, unlearning.cap());
          if (unlearning.rehearse()) {
            step.step(slice(rehearse, b % rehearseBatches, batchSize), List.of(), null, 0);
          }
        }
        listener.onEpoch(++epoch, UNLEARN, lossSum / ascentBatches, forget.size());
      }
    }
    return isolated;
  }

  private static int batches(int size, int batchSize) {
    return Math.max(1, (size + batchSize - 1) / batchSize);
  }

  /** The samples whose flag is {@code wanted}, in order: one side of a split such as credible/suspect. */
  public static List<LabeledSample> select(List<LabeledSample> samples, boolean[] flags, boolean wanted) {
    List<LabeledSample> out = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      if (flags[i] == wanted) {
        out.add(samples.get(i));
      }
    }
    return out;
  }

  private static List<LabeledSample> shuffled(List<LabeledSample> samples, Random random) {
    List<LabeledSample> order = new ArrayList<>(samples);
    Collections.shuffle(order, random);
    return order;
  }

  /** Batch {@code index} of {@code size}; empty past the end. */
  private static List<LabeledSample> slice(List<LabeledSample> order, int index, int size) {
    int from = Math.min(order.size(), index * size);
    return order.subList(from, Math.min(order.size(), from + size));
  }
}

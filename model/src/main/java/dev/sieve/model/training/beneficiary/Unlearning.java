package dev.sieve.model.training.beneficiary;

import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ABL's isolate-then-unlearn (Anti-Backdoor Learning, NeurIPS 2021) on top of V&amp;B's recipe:
 * after the first epochs, the credible samples the Beneficiary already fits best (lowest
 * cross-entropy against their claimed label), per claimed class, are isolated, left out of the
 * rest of training, and unlearnt at the end, boundedly.
 *
 * <p>Why: a trigger is a shortcut, learnt faster than the task, so early on its samples sit at the
 * bottom of their class's loss. That holds whether the label was flipped or not, so it reaches what
 * the Victim's entropy split cannot: clean-label poison (SIG, label-consistent), whose label the
 * reference model agrees with, and warps, to which the Victim's entropy is blind (AUROC 0.26 on
 * WaNet in docs/evaluation.md). Per class, because the poison sits in one class and a global cut
 * would take the easiest clean class instead.
 *
 * <p>Bounded: by default the isolated samples are trained towards the uniform prediction
 * ({@link BeneficiaryStep#flatten}), whose minimum is "no idea", and each such step is followed
 * by one ordinary step on a batch of the rest. ABL's gradient ascent (each sample's loss clipped at
 * {@code cap}, {@link BeneficiaryStep#ascend}) is the other choice: on a planted patch it handed
 * the clean images to the trigger's class (CA 0.10 without rehearsal, 0.43 with it; UnlearningIT).
 *
 * <p><b>Experimental, and not yet effective</b>: on that planted patch (200 poisoned of 2,200,
 * half of class 0) the isolation is right (32 of class 0's 40 lowest-loss samples are poison) but
 * neither objective lowered the ASR (0.956 plain, 0.962 flattened, at 20 points of clean
 * accuracy), because the 168 poisoned samples left in training keep teaching the trigger. It is
 * the {@code vab-unlearn} row of {@code ./sieve eval}, off unless asked for, and no recipe of the
 * trainer uses it.
 *
 * @param isolationShare share of each claimed class isolated, in (0, 1)
 * @param isolationEpochs AttentionMix epochs on all credible samples before the isolation (at
 *     least 1; the rest of the plan's mix epochs then run without the isolated samples)
 * @param ascentEpochs passes of unlearning over the isolated set after the plan
 * @param cap the per-sample cross-entropy at which a sample stops being ascended
 * @param rehearse follow each ascent step with one ordinary step on a batch of the rest
 * @param flatten unlearn by training the isolated samples towards the uniform prediction ({@link
 *     BeneficiaryStep#flatten}) instead of by capped ascent
 */
public record Unlearning(double isolationShare, int isolationEpochs, int ascentEpochs, float cap, boolean rehearse,
    boolean flatten) {

  public Unlearning {
    if (!(isolationShare > 0 && isolationShare < 1)) {
      throw new IllegalArgumentException("isolationShare is " + isolationShare + ", expected a share in (0, 1)");
    }
    if (isolationEpochs < 1 || ascentEpochs < 0) {
      throw new IllegalArgumentException("epochs are " + isolationEpochs + " before isolation and " + ascentEpochs
          + " of ascent, expected >= 1 and >= 0");
    }
    if (!(cap > 0) || Float.isInfinite(cap)) {
      throw new IllegalArgumentException("cap is " + cap + ", expected a finite loss > 0");
    }
  }

  /**
   * 5 % of each class isolated after one epoch, five passes of flattening with rehearsal (the cap
   * at chance for ten classes applies to ascent only). ABL isolates 1 % of the whole set; per class
   * that would be 10-20 samples on a 10,000-sample stream.
   */
  public static Unlearning defaults() {
    return new Unlearning(0.05, 1, 5, (float) Math.log(10), true, true);
  }

  /** The same with another isolation share. */
  public Unlearning withShare(double share) {
    return new Unlearning(share, isolationEpochs, ascentEpochs, cap, rehearse, flatten);
  }

  /**
   * The isolated samples: per claimed class, the {@code ceil(share · count)} with the lowest
   * cross-entropy under {@code network} (ties by position), as flags parallel to {@code samples}.
   */
  public static boolean[] isolate(Network network, List<LabeledSample> samples, double share) {
    Objects.requireNonNull(network, "network");
    int classes = network.architecture().numClasses();
    int n = samples.size();
    double[] loss = new double[n];
    for (int from = 0; from < n; from += Network.CHUNK) {
      List<LabeledSample> chunk = samples.subList(from, Math.min(n, from + Network.CHUNK));
      float[] logits = network.logits(chunk);
      for (int i = 0; i < chunk.size(); i++) {
        loss[from + i] = crossEntropy(logits, i * classes, classes, chunk.get(i).getLabel());
      }
    }
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      int label = samples.get(i).getLabel();
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("sample " + samples.get(i).getId() + " has label " + label
            + ", expected a class in [0, " + classes + ")");
      }
      byClass.get(label).add(i);
    }
    boolean[] isolated = new boolean[n];
    for (List<Integer> members : byClass) {
      members.sort((a, b) -> a.equals(b) ? 0 : Double.compare(loss[a], loss[b]) != 0
          ? Double.compare(loss[a], loss[b]) : Integer.compare(a, b));
      int take = (int) Math.ceil(share * members.size());
      for (int k = 0; k < take; k++) {
        isolated[members.get(k)] = true;
      }
    }
    return isolated;
  }

  /** {@code −log softmax(logits)[label]} of one row, in double precision. */
  static double crossEntropy(float[] logits, int offset, int classes, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < classes; k++) {
      max = Math.max(max, logits[offset + k]);
    }
    double sum = 0;
    for (int k = 0; k < classes; k++) {
      sum += Math.exp(logits[offset + k] - max);
    }
    return Math.log(sum) - (logits[offset + label] - max);
  }
}

package dev.sieve.model.defense.dbd;

import java.util.Arrays;
import java.util.Comparator;

/**
 * DBD's split between stage 2 and stage 3: the samples with the lowest stage-2 loss keep their
 * labels ("high-credible"), the rest lose them. The split is global, over all classes at once, as
 * DBD's reference does it: a class whose samples the features explain badly gives up more of its
 * labels.
 */
public final class CredibleSplit {

  private CredibleSplit() {}

  /**
   * @param losses a loss per sample; NaN is not allowed
   * @param ratio share of samples that keep their labels, in (0, 1]
   * @return {@code labelled[i]} is true for the {@code floor(ratio·n)} samples of lowest loss
   *     (at least one); ties go to the earlier sample, so the split is deterministic
   */
  public static boolean[] lowestLoss(double[] losses, double ratio) {
    if (!(ratio > 0 && ratio <= 1)) {
      throw new IllegalArgumentException("labelled ratio is " + ratio + ", expected a share in (0, 1]");
    }
    int n = losses.length;
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(losses[i])) {
        throw new IllegalArgumentException("loss of sample " + i + " is NaN, expected a number");
      }
    }
    int keep = Math.max(1, (int) Math.floor(ratio * n + 1e-9));
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Arrays.sort on objects is stable: equal losses keep input order.
    Arrays.sort(order, Comparator.comparingDouble(i -> losses[i]));
    boolean[] labelled = new boolean[n];
    for (int k = 0; k < Math.min(keep, n); k++) {
      labelled[order[k]] = true;
    }
    return labelled;
  }
}

package dev.sieve.model.training.beneficiary;

/**
 * Hard pseudo-labels for the unlabelled (suspicious) samples: the argmax of the Beneficiary's
 * softmax averaged over two augmented views. V&B's code calls its use of them "mixmatch", but
 * there is no sharpening and no mixing with the labelled set: it is hard pseudo-labelling.
 */
public final class PseudoLabels {

  private PseudoLabels() {}

  /** Per row, the class with the highest mean of the two probability rows (the lowest index on a tie). */
  public static int[] argmaxOfMean(float[] first, float[] second, int numClasses) {
    if (first.length != second.length || first.length % numClasses != 0) {
      throw new IllegalArgumentException("probability views have " + first.length + " and " + second.length
          + " values, expected two equal multiples of " + numClasses + " classes");
    }
    int n = first.length / numClasses;
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int base = i * numClasses;
      int best = 0;
      double bestValue = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < numClasses; k++) {
        double mean = ((double) first[base + k] + second[base + k]) / 2;
        if (mean > bestValue) {
          bestValue = mean;
          best = k;
        }
      }
      out[i] = best;
    }
    return out;
  }
}

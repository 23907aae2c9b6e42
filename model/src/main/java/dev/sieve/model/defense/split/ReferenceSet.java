package dev.sieve.model.defense.split;

import java.util.ArrayList;
import java.util.List;

/**
 * Which window samples the class-mixture split's reference model learns from: per claimed class,
 * its least certain {@link #SHARE} (30 %). One definition for the trainer that fits the reference
 * and for the split that judges it: the split measures the reference's competence on a class only
 * on members it did not learn from, because on those it did learn from it is right by memory.
 */
public final class ReferenceSet {

  /** The share of every claimed class the reference learns from. */
  public static final double SHARE = 0.3;

  private ReferenceSet() {}

  /**
   * The window indexes the reference model trains on: per claimed class, the least certain
   * {@link #SHARE} of its members, counting only those {@code victim} (when not null) predicts as
   * their claimed label.
   */
  public static List<Integer> leastCertain(double[] entropies, int[] labels, int[] victim, int numClasses) {
    List<Integer> training = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      List<Integer> members = new ArrayList<>();
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] == c && (victim == null || victim[i] == c)) {
          members.add(i);
        }
      }
      members.sort((a, b) -> Double.compare(entropies[b], entropies[a]));
      training.addAll(members.subList(0, (int) Math.ceil(SHARE * members.size())));
    }
    return training;
  }

  /** {@code indexes} as a mask over a window of {@code size} samples. */
  public static boolean[] mask(List<Integer> indexes, int size) {
    boolean[] out = new boolean[size];
    for (int i : indexes) {
      out[i] = true;
    }
    return out;
  }
}

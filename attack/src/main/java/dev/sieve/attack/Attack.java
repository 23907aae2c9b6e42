package dev.sieve.attack;

import dev.sieve.data.FashionMnist;

/**
 * One all-to-one backdoor attack: how the attacker rewrites the training samples it poisons, and
 * the trigger it shows the trained model at test time. Images are uint8 {@code rows x cols} pixels
 * of one to four channels, interleaved (HWC) as the wire carries them; the channel count is the
 * image's length over {@code rows x cols}, so a grey image is plain row-major and every grey
 * trigger is what it was before colour. Which samples are poisoned is decided by {@link PoisonPlan}, and only the
 * data set object ({@link PoisonedTrainingSet}) knows the answer: the filter never learns which
 * attack runs.
 */
public interface Attack {

  /**
   * The canonical spec that {@link Attacks#parse} turns back into this attack, e.g.
   * {@code blend-0.2}; an attack with parameters no spec names (the zoo's) has a descriptive name
   * instead, e.g. {@code patch-4x4-checkerboard-i200-at-random-corner}.
   */
  String name();

  /** The class every triggered image should be classified as. */
  int targetLabel();

  /**
   * True for clean-label attacks (SIG, label-consistent): they poison only samples that already
   * belong to the target class and keep their labels, so no label is ever wrong.
   */
  boolean cleanLabel();

  /**
   * The poisoned versions of {@code train.images()[i]} for each {@code i} in {@code indices}, in
   * the same order; the split is left unchanged. Attacks that need the data set beyond the images
   * they poison (label-consistent trains a surrogate on it) read it here, once, in a batch.
   */
  default byte[][] poison(FashionMnist.Split train, int[] indices, long seed) {
    // Most attacks poison a training image exactly as they trigger a test image.
    return Pixels.triggerEach(this, train, indices);
  }

  /** The test-time trigger applied to one image, for the attack success rate; a new array. */
  byte[] trigger(byte[] image, int rows, int cols);
}

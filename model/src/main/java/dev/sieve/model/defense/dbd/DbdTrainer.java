package dev.sieve.model.defense.dbd;

import dev.sieve.model.Architecture;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * DBD, "Backdoor Defense via Decoupling the Training Process" (Huang et al., ICLR 2022): train a
 * classifier on possibly poisoned data in three stages, so that it never learns the trigger from
 * the poisoned labels end to end.
 * <ol>
 *   <li>{@link #SIMCLR}: self-supervised SimCLR on every image without labels trains the backbone;
 *   <li>{@link #LINEAR}: with the backbone frozen, the linear head learns the labels with symmetric
 *       cross-entropy; the {@code labelledRatio} share of samples with the lowest loss keep their
 *       labels, the rest become unlabelled (poisoned samples have high loss: their features say one
 *       class and their label another);
 *   <li>{@link #MIXMATCH}: MixMatch semi-supervised fine-tuning of the whole network.
 * </ol>
 * The network passed in is trained in place; the caller owns it and closes it.
 */
public final class DbdTrainer {

  /** Stage names, as the {@link EpochListener} hears them. */
  public static final String SIMCLR = "simclr";
  public static final String LINEAR = "linear";
  public static final String MIXMATCH = "mixmatch";

  /** Samples per forward pass when the backbone features of all samples are computed. */
  private static final int FEATURE_CHUNK = 512;

  private DbdTrainer() {}

  /** What one stage did: the mean loss of each of its epochs and the wall-clock seconds it took. */
  public record StageReport(String stage, double[] epochLosses, double seconds) {

    /** The last epoch's mean loss; NaN for a stage with no epochs. */
    public double finalLoss() {
      return epochLosses.length == 0 ? Double.NaN : epochLosses[epochLosses.length - 1];
    }
  }

  /**
   * The outcome of a run.
   *
   * @param labelled {@code labelled[i]}: sample i kept its label (high-credible) in stage 3
   * @param splitLosses the stage-2 SCE loss of every sample, which the split ranked; higher means
   *     more suspect, so it also serves as a poison score
   * @param splitSeconds seconds to compute the features the head trains on, included in
   *     {@code linear.seconds()}
   */
  public record Result(boolean[] labelled, double[] splitLosses, StageReport simclr, StageReport linear,
      StageReport mixmatch, double splitSeconds) {

    public int labelledCount() {
      int count = 0;
      for (boolean b : labelled) {
        if (b) {
          count++;
        }
      }
      return count;
    }

    /** Indices of the samples that kept their labels, ascending. */
    public int[] labelledIndices() {
      int[] out = new int[labelledCount()];
      int j = 0;
      for (int i = 0; i < labelled.length; i++) {
        if (labelled[i]) {
          out[j++] = i;
        }
      }
      return out;
    }

    @Override
    public String toString() {
      return "DBD result: " + labelledCount() + "/" + labelled.length + " labelled; simclr "
          + Arrays.toString(simclr.epochLosses()) + " in " + simclr.seconds() + " s; linear "
          + Arrays.toString(linear.epochLosses()) + " in " + linear.seconds() + " s; mixmatch "
          + Arrays.toString(mixmatch.epochLosses()) + " in " + mixmatch.seconds() + " s";
    }
  }

  /**
   * Runs the three stages in order on {@code samples} with their claimed labels.
   *
   * @param network trained in place; a fresh one (as DBD does) or any of the same layout
   * @param seed seeds shuffling, augmentation, MixUp and the projection head's initial weights
   * @throws IllegalArgumentException for fewer than 2 samples, a sample of the wrong size, or a
   *     label outside the network's classes
   */
  public static Result train(Network network, List<LabeledSample> samples, DbdSettings settings, long seed,
      EpochListener listener) {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(listener, "listener");
    Architecture arch = network.architecture();
    int n = samples.size();
    if (n < 2) {
      throw new IllegalArgumentException("DBD needs at least 2 samples, got " + n);
    }
    int[] labels = labels(samples, arch);
    float[] images = ImageTensors.chwBatch(samples, arch);
    DecoupledNetwork parts = DecoupledNetwork.of(network);
    Random seeds = new Random(seed);

    long start = System.nanoTime();
    double[] simclrLosses = SimClr.train(parts, images, n, settings, seeds.nextLong(), listener);
    StageReport simclr = new StageReport(SIMCLR, simclrLosses, secondsSince(start));

    start = System.nanoTime();
    float[] features = parts.featuresNoGrad(images, n, FEATURE_CHUNK);
    double splitSeconds = secondsSince(start);
    LinearProbe.Outcome probe = LinearProbe.train(parts, features, labels, settings, seeds.nextLong(), listener);
    boolean[] labelled = CredibleSplit.lowestLoss(probe.sampleLosses(), settings.labelledRatio());
    StageReport linear = new StageReport(LINEAR, probe.epochLosses(), secondsSince(start));

    start = System.nanoTime();
    double[] mixmatchLosses;
    try (MixMatchTrainer mixMatch = new MixMatchTrainer(network, settings, seeds.nextLong())) {
      mixmatchLosses = mixMatch.train(images, labels, labelled, listener);
    }
    StageReport mixmatch = new StageReport(MIXMATCH, mixmatchLosses, secondsSince(start));
    return new Result(labelled, probe.sampleLosses(), simclr, linear, mixmatch, splitSeconds);
  }

  private static int[] labels(List<LabeledSample> samples, Architecture arch) {
    int[] out = new int[samples.size()];
    for (int i = 0; i < out.length; i++) {
      LabeledSample s = samples.get(i);
      if (s.getLabel() < 0 || s.getLabel() >= arch.numClasses()) {
        throw new IllegalArgumentException("sample " + s.getId() + " has label " + s.getLabel()
            + ", expected a class in [0, " + arch.numClasses() + ")");
      }
      out[i] = s.getLabel();
    }
    return out;
  }


  private static double secondsSince(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}

package dev.sieve.eval;

import dev.sieve.model.Architecture;
import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.scoring.Victim;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.model.training.VictimSchedule;
import dev.sieve.model.training.VictimTraining;
import dev.sieve.schemas.LabeledSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming filter without the broker: the samples arrive in order, in polls of
 * {@link #POLL} as the updater's consumer would see them, and go through the same
 * {@link VictimSchedule} and {@link VictimTraining}. A sample is judged on arrival by the newest
 * version fitted before it, exactly as the topology does; samples that arrive before the first
 * version wait (the topology buffers them) and are judged by the first one. At the end the stream
 * falls quiet, the schedule runs its idle round, and that last version re-checks everything, which
 * is what the Beneficiary's window re-check does.
 *
 * <p>One simplification against the live pipeline: a version is in force the moment it is fitted,
 * while on a live stream the topology keeps using the previous one for the seconds the retraining
 * takes. On a fast stream slightly more samples are judged by older versions than here.
 */
final class OfflineFilter {

  private static final Logger LOG = LoggerFactory.getLogger(OfflineFilter.class);
  static final int POLL = 2_000;
  private static final Duration QUIET_FOREVER = Duration.ofDays(1);

  /**
   * What the filter decided.
   *
   * @param quarantinedOnArrival the topology's verdict per sample, by the version current on arrival
   * @param suspectFinal the verdict of the last version (the Beneficiary's re-check)
   * @param finalEntropies the last version's entropy per sample (its detection score)
   * @param versions how many versions were fitted
   * @param victim the last Victim's training state; the caller closes it
   */
  record Outcome(boolean[] quarantinedOnArrival, boolean[] suspectFinal, double[] finalEntropies, int versions,
      VictimTraining victim, double seconds) {

    /** Samples kept out of the labelled set: quarantined on arrival, or suspect to the last version. */
    boolean[] excluded() {
      boolean[] out = new boolean[quarantinedOnArrival.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = quarantinedOnArrival[i] || suspectFinal[i];
      }
      return out;
    }
  }

  private OfflineFilter() {}

  /** Hears every version the offline filter fits. */
  @FunctionalInterface
  interface FitListener {
    /**
     * @param version the version's number, from 1
     * @param arrived how many samples had arrived when it was fitted; its window is the last
     *     {@code split.entropies().length} of them
     */
    void fitted(int version, int arrived, VictimTraining victim, VictimTraining.Split split);
  }

  /**
   * The small CNN for the stream's image shape, as the Victim updater builds it for its filter's
   * descriptor: fmnist-cnn-v1 on Fashion-MNIST (and on an empty stream).
   */
  static Architecture victimArchitecture(List<LabeledSample> samples) {
    if (samples.isEmpty()) {
      return Architecture.FMNIST_CNN_V1;
    }
    LabeledSample first = samples.get(0);
    return new Architecture(Architecture.Family.SMALL_CNN, first.getChannels(), first.getHeight(), first.getWidth(),
        Architecture.FMNIST_CNN_V1.numClasses());
  }

  static Outcome run(List<LabeledSample> samples, VictimSchedule.Plan config, SplitPolicy policy) {
    return run(samples, config, policy, (version, arrived, victim, split) -> { });
  }

  static Outcome run(List<LabeledSample> samples, VictimSchedule.Plan config, SplitPolicy policy, FitListener listener) {
    long started = System.nanoTime();
    int n = samples.size();
    boolean[] quarantined = new boolean[n];
    VictimSchedule schedule = new VictimSchedule(config, policy, victimArchitecture(samples));
    SplitRule current = null;
    int versions = 0;
    int waitingFrom = 0;
    for (int from = 0; from < n; from += POLL) {
      int to = Math.min(n, from + POLL);
      List<LabeledSample> poll = samples.subList(from, to);
      if (current != null) {
        judge(schedule.training(), current, versions, samples, from, to, quarantined);
        waitingFrom = to;
      }
      schedule.add(poll);
      boolean last = to == n;
      Duration quiet = last ? QUIET_FOREVER : Duration.ZERO;
      VictimSchedule.Fitted fitted = null;
      if (schedule.warmUpDue(quiet)) {
        fitted = schedule.warmUp();
      } else if (schedule.roundDue(quiet)) {
        fitted = schedule.round();
      }
      if (fitted != null) {
        current = fitted.split().rule();
        versions++;
        listener.fitted(versions, to, schedule.training(), fitted.split());
        LOG.info("offline filter: v{} after {} samples, {} of {} window samples suspicious", versions, to,
            fitted.split().suspiciousCount(), fitted.windowSize());
        if (waitingFrom < to) {
          // The buffered samples that arrived before any version existed.
          judge(schedule.training(), current, versions, samples, waitingFrom, to, quarantined);
          waitingFrom = to;
        }
      }
    }
    if (current == null) {
      schedule.close();
      throw new IllegalArgumentException("the filter never warmed up on " + n + " samples: it needs at least "
          + config.minWarmupSamples());
    }
    VictimTraining victim = schedule.training();
    double[] entropies = victim.entropies(samples);
    boolean[] suspectFinal = new boolean[n];
    judge(victim, current, versions, samples, 0, n, suspectFinal);
    return new Outcome(quarantined, suspectFinal, entropies, versions, victim, (System.nanoTime() - started) / 1e9);
  }

  private static void judge(VictimTraining victim, SplitRule rule, long version, List<LabeledSample> samples,
      int from, int to, boolean[] out) {
    List<LabeledSample> part = new ArrayList<>(samples.subList(from, to));
    // The filter's own scoring (entropy, and the in-class feature test when the rule carries one),
    // on the training network; not closed here, the schedule owns the network.
    VictimModel model = new VictimModel("victim", version, victim.network(), rule);
    Victim.Scores scores = model.scores(part);
    for (int i = 0; i < part.size(); i++) {
      double featureScore = scores.featureScores() == null ? Double.NaN : scores.featureScores()[i];
      out[from + i] = model.judge(scores.entropies()[i], featureScore, part.get(i).getLabel()).suspect();
    }
  }
}

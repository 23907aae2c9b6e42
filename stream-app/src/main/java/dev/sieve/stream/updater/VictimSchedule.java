package dev.sieve.stream.updater;

import dev.sieve.model.Architecture;
import dev.sieve.model.SampleWindow;
import dev.sieve.schemas.LabeledSample;
import java.time.Duration;
import java.util.List;

/**
 * When the Victim warms up and when it runs another round, as a pure function of the samples seen
 * and how long the stream has been quiet. {@link VictimUpdater} feeds it from Kafka and publishes
 * what it fits; the offline evaluation feeds it from a list. Both therefore run the same schedule
 * on the same {@link VictimTraining}, and offline numbers describe the streaming filter.
 *
 * <p>The schedule: collect a head of {@code warmupSamples} (or at least {@code minWarmupSamples}
 * once the stream has been quiet for {@code warmupIdle}); warm up on it and run
 * {@code bootstrapRounds} suspicious-set rounds, so that the first version already separates; then
 * one more round over the window after every {@code retrainEvery} new samples, or sooner when the
 * stream has been quiet for {@code roundIdle} with new samples waiting.
 */
public final class VictimSchedule implements AutoCloseable {

  /** A freshly fitted version: the split over the window it was fitted on, and that window's size. */
  public record Fitted(VictimTraining.Split split, int windowSize, int round) {}

  private final VictimUpdaterConfig config;
  private final SplitPolicy policy;
  private final Architecture architecture;
  private final SampleWindow window;
  private VictimTraining training;
  private long newSinceRound;

  public VictimSchedule(VictimUpdaterConfig config, SplitPolicy policy, Architecture architecture) {
    this.config = config;
    this.policy = policy;
    this.architecture = architecture;
    this.window = new SampleWindow(config.windowSize());
  }

  /** Continues from existing Victim weights (a restart): no second warm-up. */
  public void resume(VictimTraining resumed) {
    if (training != null) {
      training.close();
    }
    training = resumed;
  }

  public void add(List<LabeledSample> samples) {
    window.addAll(samples);
    newSinceRound += samples.size();
  }

  /** The Victim being trained, or null before the warm-up. */
  public VictimTraining training() {
    return training;
  }

  public int windowSize() {
    return window.size();
  }

  public boolean warmUpDue(Duration quiet) {
    if (training != null) {
      return false;
    }
    return window.size() >= config.warmupSamples()
        || (window.size() >= config.minWarmupSamples() && quiet.compareTo(config.warmupIdle()) >= 0);
  }

  public boolean roundDue(Duration quiet) {
    return training != null
        && (newSinceRound >= config.retrainEvery() || (newSinceRound > 0 && quiet.compareTo(config.roundIdle()) >= 0));
  }

  /** Warm-up on the head, the bootstrap rounds, and the first split. */
  public Fitted warmUp() {
    List<LabeledSample> head = window.snapshot();
    training = new VictimTraining(architecture, policy, config.batchSize(), config.learningRate(), config.seed());
    training.warmUp(head, done -> { });
    for (int r = 0; r < config.bootstrapRounds(); r++) {
      training.retrainOnSuspicious(head);
    }
    return fit(head);
  }

  /** One suspicious-set round over the window, and a new split. */
  public Fitted round() {
    List<LabeledSample> snapshot = window.snapshot();
    training.retrainOnSuspicious(snapshot);
    return fit(snapshot);
  }

  private Fitted fit(List<LabeledSample> snapshot) {
    newSinceRound = 0;
    return new Fitted(training.split(snapshot), snapshot.size(), training.round());
  }

  @Override
  public void close() {
    if (training != null) {
      training.close();
    }
  }
}

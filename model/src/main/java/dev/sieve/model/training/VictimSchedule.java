package dev.sieve.model.training;

import dev.sieve.model.Architecture;
import dev.sieve.model.SampleWindow;
import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.schemas.LabeledSample;
import java.time.Duration;
import java.util.List;

/**
 * When the Victim warms up and when it runs another round, as a pure function of the samples seen
 * and how long the stream has been quiet. The stream app's Victim updater feeds it from Kafka and publishes
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

  /**
   * How the Victim is trained: the schedule above and the optimiser's settings.
   *
   * @param warmupSamples the head of the stream the Victim warms up on (one epoch of plain
   *     cross-entropy, as in V&amp;B); warm-up also starts early if the stream goes quiet
   * @param minWarmupSamples fewest samples warm-up will run on after {@code warmupIdle}
   * @param warmupIdle how long a quiet stream waits before warming up on what it has
   * @param bootstrapRounds suspicious-set retraining rounds before the first version is published,
   *     so the first Victim the filter uses is already a sharp detector
   * @param retrainEvery new samples that trigger another retraining round and a new version
   * @param roundIdle a quiet stream with unscored new samples gets a round after this long
   * @param windowSize how many recent samples the Victim scores and retrains from
   * @param batchSize samples per optimiser step
   * @param learningRate the optimiser's learning rate
   * @param seed seeds the initial weights and the sample order
   */
  public record Plan(int warmupSamples, int minWarmupSamples, Duration warmupIdle, int bootstrapRounds,
      int retrainEvery, Duration roundIdle, int windowSize, int batchSize, float learningRate, long seed) {

    public Plan {
      if (warmupSamples < 1 || minWarmupSamples < 1 || minWarmupSamples > warmupSamples) {
        throw new IllegalArgumentException("need 1 <= minWarmupSamples <= warmupSamples, got "
            + minWarmupSamples + " and " + warmupSamples);
      }
      if (windowSize < warmupSamples) {
        throw new IllegalArgumentException("windowSize " + windowSize + " must hold the warm-up head of " + warmupSamples);
      }
      if (retrainEvery < 1 || batchSize < 1 || bootstrapRounds < 0) {
        throw new IllegalArgumentException("retrainEvery and batchSize must be >= 1 and bootstrapRounds >= 0");
      }
    }

    /** A 10,000-sample head, 5 bootstrap rounds, a round every 10,000 samples over a 60,000-sample window. */
    public static Plan defaults() {
      return new Plan(10_000, 1_000, Duration.ofSeconds(3), 5, 10_000, Duration.ofSeconds(5), 60_000, 128, 1e-3f, 7);
    }

    public Plan withWarmup(int samples, int minSamples) {
      return toBuilder().warmupSamples(samples).minWarmupSamples(minSamples).windowSize(Math
          .max(windowSize, samples)).build();
    }

    public Plan withRetrainEvery(int samples) {
      return toBuilder().retrainEvery(samples).build();
    }

    public Plan withBootstrapRounds(int rounds) {
      return toBuilder().bootstrapRounds(rounds).build();
    }

    public Plan withWindowSize(int samples) {
      return toBuilder().windowSize(samples).build();
    }

    public Plan withSeed(long value) {
      return toBuilder().seed(value).build();
    }

    /** A builder holding this record's values, to change a few of them. */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.warmupSamples = warmupSamples;
      b.minWarmupSamples = minWarmupSamples;
      b.warmupIdle = warmupIdle;
      b.bootstrapRounds = bootstrapRounds;
      b.retrainEvery = retrainEvery;
      b.roundIdle = roundIdle;
      b.windowSize = windowSize;
      b.batchSize = batchSize;
      b.learningRate = learningRate;
      b.seed = seed;
      return b;
    }

    /** Every field of a {@link Plan}; {@link #build} checks them as the constructor does. */
    public static final class Builder {
      private int warmupSamples;
      private int minWarmupSamples;
      private Duration warmupIdle;
      private int bootstrapRounds;
      private int retrainEvery;
      private Duration roundIdle;
      private int windowSize;
      private int batchSize;
      private float learningRate;
      private long seed;

      private Builder() {}

      public Builder warmupSamples(int value) {
        this.warmupSamples = value;
        return this;
      }

      public Builder minWarmupSamples(int value) {
        this.minWarmupSamples = value;
        return this;
      }

      public Builder warmupIdle(Duration value) {
        this.warmupIdle = value;
        return this;
      }

      public Builder bootstrapRounds(int value) {
        this.bootstrapRounds = value;
        return this;
      }

      public Builder retrainEvery(int value) {
        this.retrainEvery = value;
        return this;
      }

      public Builder roundIdle(Duration value) {
        this.roundIdle = value;
        return this;
      }

      public Builder windowSize(int value) {
        this.windowSize = value;
        return this;
      }

      public Builder batchSize(int value) {
        this.batchSize = value;
        return this;
      }

      public Builder learningRate(float value) {
        this.learningRate = value;
        return this;
      }

      public Builder seed(long value) {
        this.seed = value;
        return this;
      }

      public Plan build() {
        return new Plan(warmupSamples, minWarmupSamples, warmupIdle, bootstrapRounds, retrainEvery,
            roundIdle, windowSize, batchSize, learningRate, seed);
      }
    }
}

  private final Plan config;
  private final SplitPolicy policy;
  private final Architecture architecture;
  private final SampleWindow window;
  private volatile VictimTraining training;
  private volatile boolean cancelled;
  private long newSinceRound;

  public VictimSchedule(Plan config, SplitPolicy policy, Architecture architecture) {
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
    if (cancelled) {
      resumed.cancel();
    }
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
    if (cancelled) {
      training.cancel();
    }
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

  /**
   * Makes the warm-up or round under way, and any later one, throw {@code CancellationException}
   * at its next batch. Safe from another thread; {@link #close()} is not, until that thread has
   * left the round.
   */
  public void cancel() {
    cancelled = true;
    VictimTraining current = training;
    if (current != null) {
      current.cancel();
    }
  }

  @Override
  public void close() {
    if (training != null) {
      training.close();
    }
  }
}

package dev.sieve.model.training;

import dev.sieve.model.Architecture;
import dev.sieve.model.DecoupledNetwork;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.model.defense.split.InClassTest;
import dev.sieve.model.defense.split.ReferenceSet;
import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.model.defense.split.WindowScores;
import dev.sieve.model.scoring.SplitRule;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * V&amp;B's Victim schedule without any I/O, so the streaming updater and offline evaluations run
 * the very same code: warm up with one epoch of cross-entropy on everything, then repeatedly
 * score, split and retrain for one epoch on the suspicious part only. Training only on what looks
 * poisoned makes the Victim forget the clean task while it keeps the trigger, so poisoned samples
 * stay low-entropy and clean ones drift up.
 */
public final class VictimTraining implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(VictimTraining.class);
  private static final int REFERENCE_EPOCHS = 2;
  private static final float REFERENCE_LEARNING_RATE = 1e-3f;

  /**
   * The outcome of one split: the rule and which window samples it called suspicious.
   *
   * @param referencePredictions the reference model's class for each window sample, or null when
   *     the policy trains none (kept for research on split rules: {@code ./sieve probe})
   */
  public record Split(SplitRule rule, double[] entropies, boolean[] suspicious, int suspiciousCount,
      int[] referencePredictions, InClassTest.Fit inClass) {

    public Split(SplitRule rule, double[] entropies, boolean[] suspicious, int suspiciousCount,
        int[] referencePredictions) {
      this(rule, entropies, suspicious, suspiciousCount, referencePredictions, null);
    }
  }

  private final Network network;
  private final ClassifierTrainer trainer;
  private final SplitPolicy policy;
  private final int batchSize;
  private final Random random;
  private int round;
  private volatile boolean cancelled;

  public VictimTraining(Architecture architecture, SplitPolicy policy, int batchSize, float learningRate, long seed) {
    this(Network.create(architecture, seed), policy, batchSize, learningRate, seed);
  }

  /** Continues from existing weights, e.g. the last published Victim after a restart. */
  public VictimTraining(Network network, SplitPolicy policy, int batchSize, float learningRate, long seed) {
    this.network = network;
    this.trainer = new ClassifierTrainer(network, learningRate);
    this.policy = policy;
    this.batchSize = batchSize;
    this.random = new Random(seed);
  }

  public Network network() {
    return network;
  }

  /** Rounds done so far; 0 means just warmed up. */
  public int round() {
    return round;
  }

  public void resumeAtRound(int round) {
    this.round = round;
  }

  /** One epoch of plain cross-entropy on the head of the stream. */
  public double warmUp(List<LabeledSample> head, IntConsumer progress) {
    double loss = trainer.epoch(head, batchSize, random, done -> {
      throwIfCancelled();
      progress.accept(done);
    });
    round = 0;
    LOG.info("victim warm-up: 1 epoch on {} samples, loss {}", head.size(), String.format("%.4f", loss));
    return loss;
  }

  /**
   * Scores the window with the current weights and fits the policy's detection split, training
   * the reference model first if the policy asks for one.
   */
  public Split split(List<LabeledSample> window) {
    double[] entropies = entropies(window);
    int[] labels = labels(window);
    int numClasses = network.architecture().numClasses();
    int[] reference = null;
    boolean[] referenceTrained = null;
    if (policy.needsReference()) {
      int[] victim = policy.referenceOnlyWhereVictimAgrees() ? network.predict(window) : null;
      List<Integer> trainedOn = ReferenceSet.leastCertain(entropies, labels, victim, numClasses);
      reference = referencePredictions(window, trainedOn, victim != null);
      referenceTrained = ReferenceSet.mask(trainedOn, window.size());
    }
    SplitRule rule = policy.detection(new WindowScores(entropies, labels, numClasses, reference, referenceTrained), round);
    InClassTest.Fit inClass = null;
    float[] features = null;
    int width = 0;
    if (policy.inClass() != InClassTest.NONE) {
      long started = System.nanoTime();
      DecoupledNetwork parts = DecoupledNetwork.of(network);
      width = parts.featureWidth();
      features = parts.featuresNoGrad(ImageTensors.chwBatch(window, network.architecture()), window.size(),
          Network.CHUNK);
      inClass = policy.inClass().fit(features, width, labels, entropies, numClasses, policy.inClassSettings());
      rule = rule.withFeatureTest(inClass.test());
      LOG.info("victim round {}: in-class {} test in {} ms: {}", round, policy.inClass().id(),
          (System.nanoTime() - started) / 1_000_000, inClass.describe());
    }
    boolean[] suspicious = new boolean[window.size()];
    int count = 0;
    for (int i = 0; i < suspicious.length; i++) {
      double featureScore = features == null ? Double.NaN : rule.featureTest().score(features, i * width, labels[i]);
      suspicious[i] = rule.judge(entropies[i], featureScore, labels[i], 0).suspect();
      count += suspicious[i] ? 1 : 0;
    }
    return new Split(rule, entropies, suspicious, count, reference, inClass);
  }

  /**
   * One V&amp;B round: score the window with the current Victim, pick the policy's retraining set
   * from it, and retrain one epoch on that part only. Returns how many samples were trained on.
   */
  public int retrainOnSuspicious(List<LabeledSample> window) {
    double[] entropies = entropies(window);
    int[] labels = labels(window);
    boolean[] selected = policy.retrainSet(
        new WindowScores(entropies, labels, network.architecture().numClasses(), null), round);
    List<LabeledSample> suspicious = new ArrayList<>();
    for (int i = 0; i < window.size(); i++) {
      if (selected[i]) {
        suspicious.add(window.get(i));
      }
    }
    round++;
    if (suspicious.isEmpty()) {
      LOG.info("victim round {}: nothing suspicious in {} samples, no retraining", round, window.size());
      return 0;
    }
    double loss = trainer.epoch(suspicious, batchSize, random, done -> throwIfCancelled());
    LOG.info("victim round {}: retrained 1 epoch on {} suspicious of {} samples ({}), loss {}", round,
        suspicious.size(), window.size(), String.format("%.1f%%", 100.0 * suspicious.size() / window.size()),
        String.format("%.4f", loss));
    return suspicious.size();
  }

  /**
   * Trains a fresh reference model for {@link #REFERENCE_EPOCHS} epochs on {@code trainedOn}, the
   * least certain {@link ReferenceSet#SHARE} (30 %) of every claimed class, and returns its class
   * for every window sample. Poisoned samples are the most certain ones of their claimed class, so
   * the reference rarely sees them: it classifies a trigger-carrying image by what it shows, not by its flipped
   * label, while it classifies an easy clean sample by its own label, as the Victim does. Taking
   * the same share of every class keeps it balanced: easy classes, whose samples are nearly all
   * certain, still teach it what they look like.
   *
   * @param onlyWhereVictimAgrees whether {@code trainedOn} counted only samples the Victim predicts
   *     as their claimed label ({@link SplitPolicy#referenceOnlyWhereVictimAgrees}); for the log line
   */
  private int[] referencePredictions(List<LabeledSample> window, List<Integer> trainedOn, boolean onlyWhereVictimAgrees) {
    List<LabeledSample> training = new ArrayList<>();
    for (int i : trainedOn) {
      training.add(window.get(i));
    }
    int[] out = new int[window.size()];
    long seed = random.nextLong();
    try (Network reference = Network.create(network.architecture(), seed);
        ClassifierTrainer referenceTrainer = new ClassifierTrainer(reference, REFERENCE_LEARNING_RATE)) {
      Random order = new Random(seed);
      for (int epoch = 0; epoch < REFERENCE_EPOCHS && !training.isEmpty(); epoch++) {
        referenceTrainer.epoch(training, batchSize, order, done -> throwIfCancelled());
      }
      System.arraycopy(reference.predict(window), 0, out, 0, out.length);
    }
    LOG.info("victim round {}: reference model trained {} epochs on the {} least certain samples of each class{}",
        round, REFERENCE_EPOCHS, training.size(), onlyWhereVictimAgrees ? " that the Victim predicts as their label" : "");
    return out;
  }

  private static int[] labels(List<LabeledSample> samples) {
    int[] labels = new int[samples.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = samples.get(i).getLabel();
    }
    return labels;
  }

  /**
   * Stops this Victim's training at the next batch: the warm-up, round or reference epoch under
   * way throws {@link CancellationException}. Why: a round takes minutes on a small CPU, and a
   * process shutting down must not free the native model while a round still uses it (libtorch
   * then crashes the JVM), nor wait minutes for the round to end.
   */
  public void cancel() {
    cancelled = true;
  }

  private void throwIfCancelled() {
    if (cancelled) {
      throw new CancellationException("victim training cancelled (round " + round + ")");
    }
  }

  public double[] entropies(List<LabeledSample> samples) {
    return network.entropies(samples);
  }

  @Override
  public void close() {
    trainer.close();
    network.close();
  }
}

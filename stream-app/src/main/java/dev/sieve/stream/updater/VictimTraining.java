package dev.sieve.stream.updater;

import dev.sieve.model.Architecture;
import dev.sieve.model.ClassifierTrainer;
import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.stream.victim.SplitRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
  private static final int SCORE_CHUNK = 1024;

  /** The outcome of one split: the rule and which window samples it called suspicious. */
  public record Split(SplitRule rule, double[] entropies, boolean[] suspicious, int suspiciousCount) {}

  private final Network network;
  private final ClassifierTrainer trainer;
  private final SplitPolicy policy;
  private final int batchSize;
  private final Random random;
  private int round;

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
    double loss = trainer.epoch(head, batchSize, random, progress);
    round = 0;
    LOG.info("victim warm-up: 1 epoch on {} samples, loss {}", head.size(), String.format("%.4f", loss));
    return loss;
  }

  /** Scores the window with the current weights and fits the policy's detection split. */
  public Split split(List<LabeledSample> window) {
    double[] entropies = entropies(window);
    int[] labels = labels(window);
    SplitRule rule = policy.detection(entropies, labels, network.architecture().numClasses(), round);
    boolean[] suspicious = new boolean[window.size()];
    int count = 0;
    for (int i = 0; i < suspicious.length; i++) {
      suspicious[i] = rule.judge(entropies[i], labels[i], 0).suspect();
      count += suspicious[i] ? 1 : 0;
    }
    return new Split(rule, entropies, suspicious, count);
  }

  /**
   * One V&amp;B round: score the window with the current Victim, pick the policy's retraining set
   * from it, and retrain one epoch on that part only. Returns how many samples were trained on.
   */
  public int retrainOnSuspicious(List<LabeledSample> window) {
    double[] entropies = entropies(window);
    int[] labels = labels(window);
    boolean[] selected = policy.retrainSet(entropies, labels, network.architecture().numClasses(), round);
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
    double loss = trainer.epoch(suspicious, batchSize, random, done -> { });
    LOG.info("victim round {}: retrained 1 epoch on {} suspicious of {} samples ({}), loss {}", round,
        suspicious.size(), window.size(), String.format("%.1f%%", 100.0 * suspicious.size() / window.size()),
        String.format("%.4f", loss));
    return suspicious.size();
  }

  private static int[] labels(List<LabeledSample> samples) {
    int[] labels = new int[samples.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = samples.get(i).getLabel();
    }
    return labels;
  }

  public double[] entropies(List<LabeledSample> samples) {
    double[] out = new double[samples.size()];
    for (int from = 0; from < samples.size(); from += SCORE_CHUNK) {
      int to = Math.min(samples.size(), from + SCORE_CHUNK);
      double[] chunk = network.entropies(samples.subList(from, to));
      System.arraycopy(chunk, 0, out, from, chunk.length);
    }
    return out;
  }

  @Override
  public void close() {
    trainer.close();
    network.close();
  }
}

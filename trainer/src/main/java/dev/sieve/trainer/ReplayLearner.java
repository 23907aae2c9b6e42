package dev.sieve.trainer;

import dev.sieve.model.ClassifierTrainer;
import dev.sieve.model.Network;
import dev.sieve.model.SampleWindow;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Learning from a stream that delivers each sample once: every new batch gets one optimizer step,
 * followed by {@code replayRatio} steps on random batches from a window of recent samples, so
 * that the network sees data more than once without reading Kafka again.
 *
 * <p>Not thread-safe: one training thread drives it. Counters start where a checkpoint left off.
 */
public final class ReplayLearner implements AutoCloseable {

  /** Steps over which {@link #recentLoss()} averages. */
  static final int LOSS_HISTORY = 50;

  private final Network network;
  private final ClassifierTrainer trainer;
  private final SampleWindow window;
  private final int batchSize;
  private final int replayRatio;
  private final Random random;
  private final long stepsBefore;
  private long samplesSeen;
  private final double[] losses = new double[LOSS_HISTORY];
  private int lossCount;
  private int lossNext;
  private double lossBefore;

  /**
   * @param stepsBefore steps done before this learner (from a checkpoint)
   * @param samplesSeen new samples trained on before this learner (from a checkpoint)
   * @param lossBefore recent loss reported by the checkpoint, reported until a step is made
   */
  public ReplayLearner(Network network, double learningRate, int batchSize, int replayRatio, int windowSize,
      long seed, long stepsBefore, long samplesSeen, double lossBefore) {
    if (batchSize < 1 || replayRatio < 0) {
      throw new IllegalArgumentException("batchSize must be >= 1 and replayRatio >= 0, got " + batchSize + " and " + replayRatio);
    }
    this.network = network;
    this.trainer = new ClassifierTrainer(network, (float) learningRate);
    this.window = new SampleWindow(windowSize);
    this.batchSize = batchSize;
    this.replayRatio = replayRatio;
    this.random = new Random(seed);
    this.stepsBefore = stepsBefore;
    this.samplesSeen = samplesSeen;
    this.lossBefore = lossBefore;
  }

  /**
   * One step on {@code batch}, then {@code replayRatio} steps on batches drawn from the window
   * (none while the window is still empty), then the batch joins the window. Replay draws from
   * what was there before, so that a replay step does not simply repeat the step just made.
   * Returns the loss of the step on the new batch.
   */
  public double learn(List<LabeledSample> batch) {
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("cannot learn from an empty batch");
    }
    double loss = step(batch);
    if (window.size() > 0) {
      for (int i = 0; i < replayRatio; i++) {
        step(window.draw(batchSize, random));
      }
    }
    window.addAll(batch);
    samplesSeen += batch.size();
    return loss;
  }

  /**
   * {@code epochs} passes over the window in shuffled batches (the demo's finishing epochs once
   * the stream is quiet). These are not new samples: {@link #samplesSeen()} does not change.
   * Returns the mean loss of the last pass, or NaN if there was nothing to train on.
   */
  public double trainEpochs(int epochs) {
    double lastMean = Double.NaN;
    for (int e = 0; e < epochs && window.size() > 0; e++) {
      List<LabeledSample> order = new ArrayList<>(window.snapshot());
      Collections.shuffle(order, random);
      double sum = 0;
      int batches = 0;
      for (int from = 0; from < order.size(); from += batchSize) {
        sum += step(order.subList(from, Math.min(order.size(), from + batchSize)));
        batches++;
      }
      lastMean = sum / batches;
    }
    return lastMean;
  }

  private double step(List<LabeledSample> batch) {
    double loss = trainer.step(batch);
    losses[lossNext] = loss;
    lossNext = (lossNext + 1) % losses.length;
    lossCount = Math.min(lossCount + 1, losses.length);
    return loss;
  }

  /** Mean loss of the last {@value #LOSS_HISTORY} steps (NaN before any step, unless resumed). */
  public double recentLoss() {
    if (lossCount == 0) {
      return lossBefore;
    }
    double sum = 0;
    for (int i = 0; i < lossCount; i++) {
      sum += losses[i];
    }
    return sum / lossCount;
  }

  /** All optimizer steps, including those before a restart and the replay steps. */
  public long steps() {
    return stepsBefore + trainer.steps();
  }

  /** New samples trained on, including those before a restart; replays do not count. */
  public long samplesSeen() {
    return samplesSeen;
  }

  public int windowSize() {
    return window.size();
  }

  public Network network() {
    return network;
  }

  @Override
  public void close() {
    trainer.close();
  }
}

package dev.sieve.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.sieve.model.ComputeDevice;
import dev.sieve.model.ImageTensors;
import dev.sieve.model.Network;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Mini-batch cross-entropy training of a {@link Network} with Adam. Each step holds the
 * {@link GradientLock}, so trainers in one JVM take turns instead of failing.
 */
public final class ClassifierTrainer implements AutoCloseable {

  private final Network network;
  private final Trainer trainer;
  private long steps;

  public ClassifierTrainer(Network network, float learningRate) {
    this.network = network;
    DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build())
        .optDevices(ComputeDevice.of(network.model()));
    this.trainer = network.model().newTrainer(config);
    trainer.initialize(network.architecture().inputShape());
  }

  public Network network() {
    return network;
  }

  public long steps() {
    return steps;
  }

  /** One optimizer step on the batch with its claimed labels; returns the mean loss. */
  public float step(List<LabeledSample> batch) {
    int[] labels = new int[batch.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = batch.get(i).getLabel();
    }
    try (NDManager manager = network.model().getNDManager().newSubManager()) {
      NDArray x = ImageTensors.batch(manager, network.architecture(), batch);
      NDArray y = manager.create(labels);
      return step(x, y);
    }
  }

  /** One optimizer step on an NCHW batch and sparse labels; returns the mean loss. */
  public float step(NDArray x, NDArray labels) {
    GradientLock.lock();
    try {
      float loss;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
        NDArray value = trainer.getLoss().evaluate(new NDList(labels), new NDList(logits));
        collector.backward(value);
        loss = value.getFloat();
      }
      trainer.step();
      steps++;
      return loss;
    } finally {
      GradientLock.unlock();
    }
  }

  /**
   * One epoch over {@code data} in shuffled mini-batches. {@code onBatch} hears the number of
   * samples done so far, for progress output. Returns the mean loss.
   */
  public double epoch(List<LabeledSample> data, int batchSize, Random random, IntConsumer onBatch) {
    List<LabeledSample> order = new ArrayList<>(data);
    Collections.shuffle(order, random);
    double lossSum = 0;
    int batches = 0;
    for (int from = 0; from < order.size(); from += batchSize) {
      List<LabeledSample> batch = order.subList(from, Math.min(order.size(), from + batchSize));
      lossSum += step(batch);
      batches++;
      onBatch.accept(Math.min(order.size(), from + batchSize));
    }
    return batches == 0 ? Double.NaN : lossSum / batches;
  }

  @Override
  public void close() {
    trainer.close();
  }
}

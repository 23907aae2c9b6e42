package dev.sieve.stream.victim;

import dev.sieve.model.scoring.Judgement;
import dev.sieve.model.scoring.Victim;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A Victim whose entropies the test dictates by sample id, and which records every forward pass.
 * Scoring after close() throws, so a test notices a version that was pulled away mid-use.
 */
public class ScriptedVictim implements Victim {

  /** The maximum of the mean-over-classes entropy for 10 classes: log(10)/10. */
  public static final double MAX_MEAN_ENTROPY = Math.log(10) / 10;

  private final String modelId;
  private final long version;
  private final double threshold;
  private final double defaultEntropy;
  private final Map<String, Double> entropyById = new ConcurrentHashMap<>();
  private final List<List<String>> batches = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger closeCount = new AtomicInteger();
  private volatile Consumer<List<LabeledSample>> duringScoring = batch -> {};

  public ScriptedVictim(long version, double threshold, double defaultEntropy) {
    this("victim", version, threshold, defaultEntropy);
  }

  public ScriptedVictim(String modelId, long version, double threshold, double defaultEntropy) {
    this.modelId = modelId;
    this.version = version;
    this.threshold = threshold;
    this.defaultEntropy = defaultEntropy;
  }

  public ScriptedVictim entropy(String sampleId, double entropy) {
    entropyById.put(sampleId, entropy);
    return this;
  }

  /** The next {@code n} calls to entropies() throw, as a failing native forward pass would. */
  public ScriptedVictim failNext(int n) {
    failuresLeft.set(n);
    return this;
  }

  /** Runs inside entropies(), e.g. to swap the registry while this version is scoring. */
  public ScriptedVictim duringScoring(Consumer<List<LabeledSample>> hook) {
    this.duringScoring = hook;
    return this;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public long version() {
    return version;
  }

  @Override
  public double[] entropies(List<LabeledSample> batch) {
    if (closeCount.get() > 0) {
      throw new IllegalStateException("Victim v" + version + " used after close");
    }
    List<String> ids = new ArrayList<>(batch.size());
    for (LabeledSample sample : batch) {
      ids.add(sample.getId());
    }
    batches.add(List.copyOf(ids));
    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("scripted forward-pass failure in v" + version);
    }
    duringScoring.accept(batch);
    double[] out = new double[batch.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = entropyById.getOrDefault(ids.get(i), defaultEntropy);
    }
    if (closeCount.get() > 0) {
      throw new IllegalStateException("Victim v" + version + " closed while scoring");
    }
    return out;
  }

  @Override
  public Judgement judge(double entropy, int label) {
    double score = entropy / MAX_MEAN_ENTROPY;
    boolean suspect = score <= threshold;
    return new Judgement(score, threshold, suspect, String.format(
        "v%d: score %.4f %s threshold %.4f (label %d)", version, score, suspect ? "<=" : ">", threshold, label));
  }

  @Override
  public void close() {
    closeCount.incrementAndGet();
  }

  /** The sample ids of every call to entropies(), in call order (failed calls included). */
  public List<List<String>> batches() {
    return List.copyOf(batches);
  }

  public List<Integer> batchSizes() {
    return batches.stream().map(List::size).toList();
  }

  public int closeCount() {
    return closeCount.get();
  }

  public boolean closed() {
    return closeCount.get() > 0;
  }
}

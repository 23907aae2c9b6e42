package dev.sieve.trainer;

import dev.sieve.model.Network;
import dev.sieve.model.SampleWindow;
import dev.sieve.model.scoring.VictimModel;
import dev.sieve.model.training.beneficiary.BeneficiaryStep;
import dev.sieve.model.training.beneficiary.RecipeSettings;
import dev.sieve.schemas.LabeledSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Learning from a stream that delivers each sample once, with V&amp;B's Beneficiary step: every
 * new batch of credible samples gets one optimizer step, followed by {@code replayRatio} steps on
 * random batches from a window of recent credible samples, so that the network sees data more
 * than once without reading Kafka again.
 *
 * <p>Each step is a {@link BeneficiaryStep}: the credible batch (AttentionMix, targets suppressed
 * by the Victim) plus an unlabelled batch of the same size drawn from a pool of recent suspect
 * samples (quarantined by the filter, or moved out of the window by a {@link WindowRecheck}),
 * weighted by {@code unlabelledWeight}. Before the first Victim arrives there is nothing to
 * suppress with, and the step is AttentionMix on the credible batch alone.
 *
 * <p>Not thread-safe: one training thread drives it. Counters start where a checkpoint left off.
 */
public final class ReplayLearner implements AutoCloseable {

  /** Steps over which {@link #recentLoss()} averages. */
  static final int LOSS_HISTORY = 50;

  private final Network network;
  private final BeneficiaryStep step;
  private final int capacity;
  private SampleWindow window;
  private SampleWindow unlabelled;
  private final int batchSize;
  private final int replayRatio;
  private final double unlabelledWeight;
  private final Random random;
  private final long stepsBefore;
  private long samplesSeen;
  /**
   * New credible samples to train on before the unlabelled loss starts. V&amp;B trains 100 epochs
   * of AttentionMix before it adds pseudo-labelled samples; a stream has no epochs, so the
   * Beneficiary first learns from this many credible samples. Before that its pseudo-labels are
   * guesses, and training on them at λ 0.5 cost a 3,000-sample demo a third of its accuracy.
   */
  static final long MIX_ONLY_SAMPLES = 10_000;
  private Network victim;
  private final double[] losses = new double[LOSS_HISTORY];
  private int lossCount;
  private int lossNext;
  private double lossBefore;

  /**
   * @param settings the Beneficiary step's recipe; replay and unlabelled batches have its batch size
   * @param windowSize capacity of the credible window and of the unlabelled pool
   * @param unlabelledWeight λ of the unlabelled loss while the pool holds samples
   * @param stepsBefore steps done before this learner (from a checkpoint)
   * @param samplesSeen new samples trained on before this learner (from a checkpoint)
   * @param lossBefore recent loss reported by the checkpoint, reported until a step is made
   */
  public ReplayLearner(Network network, RecipeSettings settings, int replayRatio, int windowSize,
      double unlabelledWeight, long seed, long stepsBefore, long samplesSeen, double lossBefore) {
    if (replayRatio < 0) {
      throw new IllegalArgumentException("replayRatio must be >= 0, got " + replayRatio);
    }
    if (!(unlabelledWeight >= 0) || Double.isInfinite(unlabelledWeight)) {
      throw new IllegalArgumentException("unlabelledWeight must be a finite number >= 0, got " + unlabelledWeight);
    }
    this.network = network;
    this.batchSize = settings.batchSize();
    this.capacity = windowSize;
    this.window = new SampleWindow(windowSize);
    this.unlabelled = new SampleWindow(windowSize);
    this.replayRatio = replayRatio;
    this.unlabelledWeight = unlabelledWeight;
    this.random = new Random(seed);
    this.stepsBefore = stepsBefore;
    this.samplesSeen = samplesSeen;
    this.lossBefore = lossBefore;
    this.step = new BeneficiaryStep(network, settings, seed);
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

  /** Suspect samples join the unlabelled pool (the oldest leave it when it is full). */
  public void addUnlabelled(List<LabeledSample> samples) {
    unlabelled.addAll(samples);
  }

  /** The Victim whose predictions suppress the targets from now on; null for none. */
  public void useVictim(Network victimNetwork) {
    this.victim = victimNetwork;
  }

  /**
   * Judges the window with {@code victimModel} and moves what it calls suspect from the window
   * to the unlabelled pool. The window keeps its order; the moved samples are not counted again
   * in {@link #samplesSeen()}.
   */
  public WindowRecheck recheck(VictimModel victimModel) {
    WindowRecheck result = WindowRecheck.judge(window.snapshot(), victimModel);
    if (!result.suspect().isEmpty()) {
      SampleWindow rebuilt = new SampleWindow(capacity);
      rebuilt.addAll(result.kept());
      window = rebuilt;
      unlabelled.addAll(result.suspect());
    }
    return result;
  }

  /**
   * How many rounds of unlearning one {@link #forget} makes at most: each round is one ascent step
   * on the forgotten samples and one ordinary step on the window. Measured on the retraction test
   * (RetractionIT): the ascent reaches its cap within a few rounds, and the ordinary steps keep
   * clean accuracy.
   */
  static final int UNLEARN_ROUNDS = 10;

  /**
   * What {@link #forget} did.
   *
   * @param forgotten samples with a retracted id, now dropped from the window or the unlabelled pool
   * @param rounds rounds of unlearning made (ascent step plus ordinary step)
   * @param lossBefore mean clipped cross-entropy of the forgotten samples, against their claimed
   *     labels, before the first round (NaN when nothing was forgotten)
   * @param lossAfter the same after the last round's ascent step, as it measured before stepping
   */
  public record Unlearning(int forgotten, int rounds, double lossBefore, double lossAfter) {}

  /**
   * Drops the samples whose ids are in {@code ids} from the window and from the unlabelled pool
   * (where a {@link WindowRecheck} may have moved them after they were trained on as credible),
   * and removes what they taught: rounds of one gradient-ascent step on them ({@link
   * BeneficiaryStep#ascend}, each sample's loss clipped at {@code ln(classes)}, chance) followed by
   * one ordinary step on a batch from what the window kept, so that clean accuracy holds while the
   * poison is unlearnt. It stops early once every forgotten sample is at the cap. Samples the
   * trainer no longer holds cannot be unlearnt this way; what the retraction names is never read,
   * only the trainer's own copies.
   */
  public Unlearning forget(Set<String> ids) {
    List<LabeledSample> forgotten = new ArrayList<>();
    window = without(window, ids, forgotten);
    unlabelled = without(unlabelled, ids, forgotten);
    if (forgotten.isEmpty()) {
      return new Unlearning(0, 0, Double.NaN, Double.NaN);
    }
    float cap = (float) Math.log(network.architecture().numClasses());
    double before = Double.NaN;
    double last = Double.NaN;
    int rounds = 0;
    while (rounds < UNLEARN_ROUNDS) {
      List<LabeledSample> batch = forgotten.size() <= batchSize ? forgotten : draw(forgotten, batchSize);
      last = step.ascend(batch, cap);
      before = Double.isNaN(before) ? last : before;
      if (last >= cap) {
        break;
      }
      rounds++;
      if (window.size() > 0) {
        step(window.draw(batchSize, random));
      }
    }
    return new Unlearning(forgotten.size(), rounds, before, last);
  }

  /** {@code from} without the samples of {@code ids}, which are added to {@code removed}; order kept. */
  private SampleWindow without(SampleWindow from, Set<String> ids, List<LabeledSample> removed) {
    List<LabeledSample> kept = new ArrayList<>(from.size());
    int before = removed.size();
    for (LabeledSample s : from.snapshot()) {
      (ids.contains(s.getId()) ? removed : kept).add(s);
    }
    if (removed.size() == before) {
      return from;
    }
    SampleWindow rebuilt = new SampleWindow(capacity);
    rebuilt.addAll(kept);
    return rebuilt;
  }

  private List<LabeledSample> draw(List<LabeledSample> from, int n) {
    List<LabeledSample> copy = new ArrayList<>(from);
    Collections.shuffle(copy, random);
    return copy.subList(0, n);
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

  /**
   * One Beneficiary step: the credible batch plus unlabelled samples in proportion to the pool's
   * size against the window's, as the offline schedule pairs them (V&amp;B sizes its unlabelled
   * batches so that one epoch covers each set once). Drawing as many unlabelled as labelled would
   * weight a small pool of pseudo-labels many times over the credible data and cost clean accuracy.
   */
  private double step(List<LabeledSample> labelled) {
    int wanted = unlabelled.size() == 0 || samplesSeen < MIX_ONLY_SAMPLES ? 0
        : (int) Math.ceil((double) labelled.size() * unlabelled.size() / Math.max(1, window.size()));
    List<LabeledSample> pool = wanted == 0 ? List.of() : unlabelled.draw(Math.min(labelled.size(), wanted), random);
    double lambda = pool.isEmpty() ? 0 : unlabelledWeight;
    double loss = step.step(labelled, pool, victim, lambda);
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
    return stepsBefore + step.steps();
  }

  /** New credible samples trained on, including those before a restart; replays do not count. */
  public long samplesSeen() {
    return samplesSeen;
  }

  /** Credible samples in the replay window. */
  public int windowSize() {
    return window.size();
  }

  /** Samples in the unlabelled pool. */
  public int unlabelledSize() {
    return unlabelled.size();
  }

  /** The samples in the unlabelled pool, oldest first. */
  public List<LabeledSample> unlabelledSnapshot() {
    return unlabelled.snapshot();
  }

  /** The samples in the replay window, oldest first. */
  public List<LabeledSample> windowSnapshot() {
    return window.snapshot();
  }

  public Network network() {
    return network;
  }

  @Override
  public void close() {
    step.close();
  }
}

package dev.sieve.trainer;

import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.versions.VictimFollower;
import dev.sieve.schemas.ModelVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The trainer's meters (Prometheus names): {@code sieve_trainer_steps_total},
 * {@code sieve_trainer_loss}, {@code sieve_trainer_samples_total{kind}} (credible or unlabelled),
 * {@code sieve_trainer_checkpoints_total}, {@code sieve_trainer_victim_version},
 * {@code sieve_trainer_victims_refused_total}, {@code sieve_trainer_rechecked_out_total},
 * {@code sieve_trainer_window_samples}, {@code sieve_trainer_unlabelled_pool},
 * {@code sieve_trainer_retractions_total{outcome}} (applied: well-formed, by distinct id; refused:
 * malformed or forged), {@code sieve_trainer_unlearned_total},
 * {@code sieve_trainer_consumer_lag} and {@code sieve_trainer_consumer_paused}.
 *
 * <p>Counters that follow events are fed as a {@link TrainingListener}; the rest read the
 * trainer's {@link TrainingProgress} when scraped, so a scrape never waits for the training thread.
 */
public final class TrainerMetrics implements TrainingListener {

  private final MeterRegistry registry;
  private final Counter credible;
  private final Counter unlabelled;
  private final Counter checkpoints;
  private final Counter refused;
  private final Counter retractionsRefused;

  public TrainerMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    credible = Counter.builder("sieve.trainer.samples").description("Records taken from the verdict topics")
        .tag("kind", "credible").register(registry);
    unlabelled = Counter.builder("sieve.trainer.samples").description("Records taken from the verdict topics")
        .tag("kind", "unlabelled").register(registry);
    checkpoints = Counter.builder("sieve.trainer.checkpoints").description("Checkpoints written and published")
        .register(registry);
    refused = Counter.builder("sieve.trainer.victims.refused")
        .description("Victim versions that could not be loaded and were skipped").register(registry);
    retractionsRefused = Counter.builder("sieve.trainer.retractions")
        .description("Retractions on the retractions topic, by outcome").tag("outcome", "refused").register(registry);
  }

  /**
   * Registers the meters that read the trainer's state; call once, after the trainer exists (it
   * takes this listener in its constructor, so the two cannot be wired in one step).
   */
  public TrainerMetrics watch(Supplier<TrainingProgress> progress) {
    Objects.requireNonNull(progress, "progress");
    FunctionCounter.builder("sieve.trainer.steps", progress, p -> p.get().steps())
        .description("Optimizer steps, restarts included").register(registry);
    FunctionCounter.builder("sieve.trainer.rechecked.out", progress, p -> p.get().recheckedOut())
        .description("Window samples a newer Victim judged suspect").register(registry);
    FunctionCounter.builder("sieve.trainer.retractions", progress, p -> p.get().retractionsApplied())
        .description("Retractions on the retractions topic, by outcome").tag("outcome", "applied").register(registry);
    FunctionCounter.builder("sieve.trainer.unlearned", progress, p -> p.get().unlearned())
        .description("Held samples (window or unlabelled pool) dropped and unlearnt because they were retracted").register(registry);
    gauge("sieve.trainer.loss", "Mean loss of the recent steps", progress, TrainingProgress::loss);
    gauge("sieve.trainer.victim.version", "Victim version suppressing the targets", progress,
        TrainingProgress::victimVersion);
    gauge("sieve.trainer.version", "Last checkpointed Beneficiary version", progress, TrainingProgress::version);
    gauge("sieve.trainer.window.samples", "Samples in the replay window", progress, TrainingProgress::windowSize);
    gauge("sieve.trainer.unlabelled.pool", "Samples in the unlabelled pool", progress, TrainingProgress::unlabelledPool);
    gauge("sieve.trainer.consumer.lag", "Verdict records in Kafka not yet polled", progress,
        TrainingProgress::consumerLag);
    gauge("sieve.trainer.consumer.paused", "1 while the consumer is paused for backpressure", progress,
        p -> p.consumerPaused() ? 1 : 0);
    return this;
  }

  private void gauge(String name, String description, Supplier<TrainingProgress> progress,
      ToDoubleFunction<TrainingProgress> value) {
    Gauge.builder(name, progress, p -> value.applyAsDouble(p.get())).description(description).register(registry);
  }

  @Override
  public void onBatch(List<VerdictRecord> batch, TrainingProgress progress) {
    long fromQuarantine = batch.stream().filter(VerdictRecord::quarantined).count();
    long fromRetractions = batch.stream().filter(r -> r.source() == VerdictRecord.Source.RETRACTIONS).count();
    long refusedRetractions = batch.stream()
        .filter(r -> r.source() == VerdictRecord.Source.RETRACTIONS && r.skipped()).count();
    unlabelled.increment(fromQuarantine);
    credible.increment(batch.size() - fromQuarantine - fromRetractions);
    retractionsRefused.increment(refusedRetractions);
  }

  @Override
  public void onVictimRefused(VictimFollower.Refusal refusal) {
    refused.increment();
  }

  @Override
  public void onCheckpoint(StoredCheckpoint checkpoint, ModelVersion published) {
    checkpoints.increment();
  }
}

package dev.sieve.pipeline;

import dev.sieve.attack.Attack;
import dev.sieve.attack.PoisonComponent;
import dev.sieve.attack.zoo.Zoo;
import dev.sieve.data.BuiltInDataset;
import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.eval.metrics.ModelQuality;
import dev.sieve.eval.metrics.Retractions;
import dev.sieve.eval.metrics.VerdictEvaluator;
import dev.sieve.eval.report.RunEnvironment;
import dev.sieve.loadtest.produce.ProduceReport;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.model.Architecture;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.Checkpoint;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import dev.sieve.model.defense.split.SplitPolicy;
import dev.sieve.model.versions.ModelTrust;
import dev.sieve.stream.app.FilterApp;
import dev.sieve.stream.topology.FilterConfig;
import dev.sieve.stream.updater.VictimUpdater;
import dev.sieve.stream.updater.VictimUpdaterConfig;
import dev.sieve.trainer.BeneficiaryConfig;
import dev.sieve.trainer.BeneficiaryTrainer;
import dev.sieve.trainer.TrainingProgress;
import dev.sieve.trainer.TrainingSummary;
import dev.sieve.wire.ClientSecrets;
import dev.sieve.wire.ModelSigningKey;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * The whole pipeline in one process, end to end: broker (embedded unless one is given), topics,
 * the filter with its Victim updater, the Beneficiary trainer, the poisoned load producer and the
 * evaluator; then the Beneficiary is tested on Fashion-MNIST's test set. The demo command and the
 * end-to-end test both drive this class.
 */
public final class DemoRun {

  /**
   * Everything a demo run needs to know.
   *
   * @param clientOverrides Kafka client settings (security) for every client of the run: the topic
   *     admin, the filter, the producer, the trainer and the evaluator. They replace whatever
   *     {@code producer} and {@code beneficiary} carried, so that all clients log in alike.
   * @param signingKey signs and checks every model version of the run; the Beneficiary's trust is
   *     set to the Victim updater's checkpoint directory and this key, so that both ends agree
   * @param dataset which built-in data set is streamed; the filter's shape must be its, and the
   *     Beneficiary then accepts only Victim versions of that shape
   */
  public record Config(
      String bootstrapServers,
      TopicNames topics,
      int partitions,
      Path workDir,
      Path dataDir,
      ProducerConfig producer,
      FilterConfig filter,
      VictimUpdaterConfig victim,
      SplitPolicy policy,
      BeneficiaryConfig beneficiary,
      Duration trainerIdle,
      int finalEpochs,
      Duration timeout,
      Map<String, String> clientOverrides,
      Optional<ModelSigningKey> signingKey,
      BuiltInDataset dataset) {

    public Config {
      if (!filter.shape().sameShape(dataset.descriptor())) {
        throw new IllegalArgumentException("the demo streams " + dataset.id() + " (" + dataset.descriptor().describeShape()
            + ") but its filter expects " + filter.shape().describeShape());
      }
      clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
      producer = producer.withClientOverrides(clientOverrides);
      beneficiary = beneficiary.withClientOverrides(clientOverrides)
          .withModelTrust(ModelTrust.within(victim.checkpointDir()).withSigningKey(signingKey)
              .withDataset(filter.shape()));
    }

    /** Which Victim versions the filter and the Beneficiary accept. */
    ModelTrust trust() {
      return beneficiary.modelTrust();
    }

    /** Clears the secrets in {@link #clientOverrides}: this record is logged. */
    @Override
    public String toString() {
      return "DemoRun.Config[bootstrapServers=" + bootstrapServers + ", topics=" + topics + ", workDir=" + workDir
          + ", producer=" + producer + ", filter=" + filter + ", beneficiary=" + beneficiary
          + ", clientOverrides=" + ClientSecrets.redact(clientOverrides) + ", signingKey=" + signingKey + "]";
    }
  }

  /** The summary, and the evaluator's per-sample view of the verdicts behind it. */
  public record Outcome(DemoSummary summary, DetectionReport detection) {}

  private final PrintStream out;
  private volatile boolean stopRequested;
  /** The running Beneficiary, for {@link #stop}: its run ends only when it is told to. */
  private volatile BeneficiaryTrainer runningTrainer;

  /**
   * Asks {@link #run} to stop (SIGTERM or Ctrl-C): its waits end at once with a
   * {@link CancellationException}, and it then closes the filter (joining the Victim updater) and
   * the Beneficiary (stopping and joining its training) before anything they use is freed. Returns
   * at once; may be called from any thread.
   */
  public void stop() {
    stopRequested = true;
    BeneficiaryTrainer trainer = runningTrainer;
    if (trainer != null) {
      trainer.stop();
    }
  }

  private void throwIfStopped() {
    if (stopRequested) {
      throw new CancellationException("the demo was stopped before its summary");
    }
  }

  public DemoRun(PrintStream out) {
    this.out = out;
  }

  /** Starts an embedded broker when {@code bootstrapServers} is null, and runs the demo on it. */
  public static Outcome withEmbeddedBrokerIfNeeded(String bootstrapServers,
      java.util.function.Function<String, Config> configFor, PrintStream out) throws Exception {
    try (Cluster cluster = Cluster.embeddedIfNeeded(bootstrapServers, out)) {
      return new DemoRun(out).run(configFor.apply(cluster.bootstrapServers()));
    }
  }

  /**
   * The cluster a demo runs on: the one given, or an embedded broker started for the run. A
   * caller that holds it can keep the broker up after {@link #run} has returned (the demo's
   * {@code --keep-running}, so that a person can look around after the summary); closing it stops
   * an embedded broker and deletes its data, and leaves a given cluster alone.
   */
  public static final class Cluster implements AutoCloseable {

    private final String bootstrapServers;
    private final EmbeddedKafkaBroker broker;

    private Cluster(String bootstrapServers, EmbeddedKafkaBroker broker) {
      this.bootstrapServers = bootstrapServers;
      this.broker = broker;
    }

    /** {@code bootstrapServers}, or an embedded broker started now when it is null. */
    public static Cluster embeddedIfNeeded(String bootstrapServers, PrintStream out) {
      if (bootstrapServers != null) {
        return new Cluster(bootstrapServers, null);
      }
      long started = System.nanoTime();
      out.println("starting an embedded single-node KRaft Kafka broker ...");
      EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
      out.printf(Locale.ROOT, "broker up at %s (%.1fs)%n", broker.bootstrapServers(), (System.nanoTime() - started) / 1e9);
      return new Cluster(broker.bootstrapServers(), broker);
    }

    public String bootstrapServers() {
      return bootstrapServers;
    }

    /** Whether {@link #close} stops a broker: the demo started it. */
    public boolean embedded() {
      return broker != null;
    }

    /** Idempotent, and safe from a shutdown hook while another thread closes it too. */
    @Override
    public void close() {
      if (broker != null) {
        broker.close();
      }
    }
  }

  public Outcome run(Config s) throws Exception {
    long startedNanos = System.nanoTime();
    TopicCatalog.ensureTopics(s.bootstrapServers(), s.clientOverrides(), s.topics(), s.partitions());
    FashionMnist data = s.dataset().load(s.dataDir());
    int total = s.producer().count(data.train().size());
    out.printf(Locale.ROOT, "streaming %d %s samples (%s)%s into %s, %s%n", total, s.dataset().id(),
        s.dataset().descriptor().shape(),
        s.producer().firstImage() == 0 ? "" : " (training images from " + s.producer().firstImage() + " on)",
        s.topics().samples(), poisoningInWords(s.producer()));

    AtomicLong produced = new AtomicLong();
    AtomicLong decided = new AtomicLong();
    AtomicLong victimVersions = new AtomicLong();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sieve-demo-progress");
      t.setDaemon(true);
      return t;
    });
    try (FilterApp filter = new FilterApp(s.bootstrapServers(), s.filter(), s.workDir().resolve("streams-state"),
            s.victim(), s.policy(), s.clientOverrides(), s.trust());
        BeneficiaryTrainer trainer = new BeneficiaryTrainer(s.beneficiary())) {
      runningTrainer = trainer;
      if (stopRequested) {
        trainer.stop();
      }
      filter.updater().ifPresent(u -> u.onPublished(v -> victimVersions.incrementAndGet()));
      filter.start();
      ticker.scheduleAtFixedRate(() -> out.printf(Locale.ROOT,
          "[%5.0fs] produced %d/%d | decided %d | victim %s | beneficiary %s%n",
          (System.nanoTime() - startedNanos) / 1e9, produced.get(), total, decided.get(),
          filter.registry().currentVersion().map(v -> "v" + v).orElse(
              filter.updater().map(u -> u.phase().toString().toLowerCase(Locale.ROOT).replace('_', ' ')
                  + " (" + u.windowSize() + " samples)").orElse("waiting")),
          beneficiaryStatus(trainer)), 2, 2, TimeUnit.SECONDS);

      CompletableFuture<ProduceReport> producing = CompletableFuture.supplyAsync(() -> {
        try {
          return new SampleProducer(s.producer()).produce(data.train(), produced::set);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("producer interrupted", e);
        }
      });
      // The Beneficiary starts once the first verdicts are out: before the first Victim nothing is
      // released as credible, and its idle clock must not mistake the Victim's warm-up for the end
      // of the stream.
      // Where the stream ends, per credible, quarantine and retractions partition, once every
      // verdict and retraction has been counted: the Beneficiary stops as soon as it has trained
      // past it instead of waiting out its quiet period.
      AtomicReference<Map<TopicPartition, Long>> streamEnd = new AtomicReference<>();
      CompletableFuture<TrainingSummary> training = CompletableFuture.supplyAsync(() -> {
        awaitFirstVerdicts(decided, s.timeout());
        return trainer.runUntilIdle(s.trainerIdle(), s.finalEpochs(), () -> Optional.ofNullable(streamEnd.get()));
      });

      VerdictEvaluator evaluator = new VerdictEvaluator(s.bootstrapServers(), s.topics())
          .withClientOverrides(s.clientOverrides())
          .withSettle(Duration.ofSeconds(1))
          .stopWhen(() -> stopRequested);
      Map<TopicPartition, Long> verdictsEnd = new HashMap<>();
      DetectionReport detection = evaluator.evaluate(total, s.timeout(), decided::set, verdictsEnd);
      throwIfStopped();
      ProduceReport production = producing.get();
      out.println("filter: " + detection.summaryLine());
      if (!detection.complete()) {
        out.println("WARNING: not every sample was decided within " + s.timeout());
      }
      awaitLastVictimRejudged(filter, s, detection.credible() + detection.quarantined());
      Retractions retractions = evaluator.retractions(s.timeout());
      double recallAfterRetractions = retractions.recallAfter(detection);
      if (detection.complete()) {
        Map<TopicPartition, Long> end = new HashMap<>(verdictsEnd);
        end.putAll(retractions.readTo());
        streamEnd.set(Map.copyOf(end));
      }
      out.printf(Locale.ROOT, "filter: %d retractions (%d poisoned, %d clean); recall %.4f at first judgement,"
          + " %.4f after retractions%n", retractions.total(), retractions.poisoned(), retractions.clean(),
          detection.recall(), recallAfterRetractions);
      out.println("waiting for the Beneficiary to drain credible, apply the retractions and finish its final epochs ...");
      throwIfStopped();
      TrainingSummary trained = training.get();
      throwIfStopped();
      if (!appliedAll(trainer, retractions)) {
        // It went idle before the last re-judge's retractions were written: one more pass takes them.
        out.println("the Beneficiary applies the retractions written after it went idle ...");
        trained = trainer.runUntilIdle(s.trainerIdle(), 0);
      }
      ticker.shutdownNow();

      ModelQuality quality = beneficiaryQuality(trained, data, s.producer());
      out.println("beneficiary: " + quality.summaryLine());
      return new Outcome(new DemoSummary(production.sent(), production.poisoned(), detection.credible(), detection.quarantined(),
          detection.deadLetters(), detection.duplicates(), detection.recall(), detection.falsePositiveRate(),
          detection.precision(), quality.cleanAccuracy(), quality.attackSuccessRate(), quality.robustAccuracy(),
          detection.recordsPerSecond(),
          detection.decisionSpanSeconds() > 0 ? detection.distinct() / detection.decisionSpanSeconds() : Double.NaN,
          detection.latencyP50Ms(), detection.latencyP99Ms(), victimVersions.get(),
          trained.steps(), (System.nanoTime() - startedNanos) / 1e9, retractions.total(), recallAfterRetractions,
          RunEnvironment.current()),
          detection);
    } finally {
      runningTrainer = null;
      ticker.shutdownNow();
    }
  }

  private static String poisoningInWords(ProducerConfig producer) {
    if (Zoo.isSpec(producer.attackSpec())) {
      return "zoo draw " + producer.attackSpec() + ": " + Zoo.describe(producer.attackSpec());
    }
    Attack attack = producer.attack();
    return String.format(Locale.ROOT, "%s poisoning %.1f%% of %s towards class %d", attack.name(),
        100 * producer.poisonRate(), attack.cleanLabel() ? "the target class" : "the stream", attack.targetLabel());
  }

  private void awaitFirstVerdicts(AtomicLong decided, Duration timeout) {
    awaitTrue(() -> decided.get() > 0, timeout, "the first verdicts");
  }

  /**
   * Waits until the Victim updater has published a version after the last of the {@code samples}
   * it read (its final round on the tail of the stream comes after a quiet spell), the filter has
   * installed that version, and every task has re-judged what it released with it: then every
   * retraction the run will make has been written. Driven by those events; {@code s.timeout()} is
   * only the deadline.
   */
  private void awaitLastVictimRejudged(FilterApp filter, Config s, long samples) {
    if (filter.updater().isEmpty() || !s.filter().retractionsEnabled()) {
      return;
    }
    VictimUpdater updater = filter.updater().get();
    out.println("waiting for the last Victim version and the filter's re-judge of what earlier ones released ...");
    awaitTrue(() -> updater.caughtUp(samples), s.timeout(), "the Victim updater's last version");
    long last = updater.version();
    awaitTrue(() -> filter.registry().currentVersion().orElse(0L) >= last
        && filter.rejudgedBy().size() >= s.partitions()
        && filter.rejudgedBy().values().stream().allMatch(v -> v >= last), s.timeout(),
        "every filter task's re-judge with Victim v" + last);
    out.println("filter: Victim v" + last + " is the last version; every task has re-judged what it released");
  }

  /** Whether the trainer's positions in the retractions topic are past every retraction that was read. */
  private static boolean appliedAll(BeneficiaryTrainer trainer, Retractions retractions) {
    Map<TopicPartition, Long> positions = trainer.offsets();
    return retractions.readTo().entrySet().stream()
        .allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  private void awaitTrue(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      throwIfStopped();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  private static String beneficiaryStatus(BeneficiaryTrainer trainer) {
    TrainingProgress p = trainer.progress();
    return p.steps() == 0 ? "waiting for credible samples"
        : String.format(Locale.ROOT, "v%d, %d steps, %d samples, loss %.3f", p.version(), p.steps(), p.samplesSeen(), p.loss());
  }

  private static ModelQuality beneficiaryQuality(TrainingSummary trained, FashionMnist data, ProducerConfig producer) {
    StoredCheckpoint stored = trained.lastCheckpoint()
        .orElseThrow(() -> new IllegalStateException("the Beneficiary wrote no checkpoint: it received no credible sample"));
    Checkpoint checkpoint = CheckpointStore.read(stored.path().toString(), stored.sha256());
    try (Network network = Network.fromParameters(Architecture.byId(checkpoint.meta().architecture()), checkpoint.parameters())) {
      List<Attack> triggers = producer.poisoning().stream().map(PoisonComponent::attack).toList();
      return ModelQuality.measure(network, data.test(), triggers);
    }
  }
}

package dev.sieve.stream.metrics;

import dev.sieve.model.versions.VictimFollower;
import dev.sieve.schemas.Decision;
import dev.sieve.stream.topology.ErrorClass;
import dev.sieve.stream.topology.FilterMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The filter's meters (Prometheus names in brackets):
 *
 * <ul>
 *   <li>verdicts per class and decision [{@code sieve_verdicts_total{class,decision}}];
 *   <li>each class's quarantined share of its recent verdicts [{@code sieve_quarantine_rate{class}}];
 *   <li>the entropy distribution per decision [{@code sieve_entropy_bucket{decision,le}}], with
 *       buckets a decade apart because the split rule itself works in decades of entropy;
 *   <li>the Victim version scoring now [{@code sieve_victim_version}];
 *   <li>batch size and scoring latency [{@code sieve_batch_size}, {@code sieve_batch_latency_seconds}];
 *   <li>dead letters per error class [{@code sieve_dead_letters_total{error}}];
 *   <li>alerts raised per class [{@code sieve_alerts_total{class}}];
 *   <li>released samples retracted by a newer Victim, per claimed class [{@code sieve_retractions_total{class}}];
 *   <li>refused Victim versions by the check they failed [{@code sieve_victim_refusals_total{reason}}].
 * </ul>
 *
 * Every class and decision is registered up front, so a dashboard shows zeros rather than gaps
 * before the first quarantine.
 */
public final class MicrometerFilterMetrics implements FilterMetrics {

  /** Verdicts per class that {@code sieve_quarantine_rate} is taken over. */
  public static final int DEFAULT_RATE_WINDOW = 1000;

  /** Batch-size buckets: up to the default batch of 256, and beyond for larger configured batches. */
  public static final double[] BATCH_SIZE_BUCKETS = {1, 8, 32, 64, 128, 192, 256, 512, 1024};

  private static final double[] ENTROPY_BUCKETS = {1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.25, 0.5,
      1.0, 1.5, 2.0, 2.5};

  private final Counter[][] verdicts;
  private final Map<Decision, DistributionSummary> entropy = new EnumMap<>(Decision.class);
  private final Map<ErrorClass, Counter> deadLetters = new EnumMap<>(ErrorClass.class);
  private final Counter[] alerts;
  private final Counter[] retractions;
  private final Counter[] featureOutliers;
  private final Map<VictimFollower.RefusalKind, Counter> victimRefusals = new EnumMap<>(VictimFollower.RefusalKind.class);
  private final DistributionSummary batchSize;
  private final Timer batchLatency;
  private final AtomicLong victimVersion = new AtomicLong();
  private final QuarantineRates rates;

  public MicrometerFilterMetrics(MeterRegistry registry, int classes, int rateWindow) {
    rates = new QuarantineRates(classes, rateWindow);
    Decision[] decisions = Decision.values();
    verdicts = new Counter[classes][decisions.length];
    for (int c = 0; c < classes; c++) {
      String label = Integer.toString(c);
      for (Decision d : decisions) {
        verdicts[c][d.ordinal()] = Counter.builder("sieve.verdicts").description("Verdicts by claimed class and decision")
            .tag("class", label).tag("decision", d.name().toLowerCase()).register(registry);
      }
      int cls = c;
      Gauge.builder("sieve.quarantine.rate", rates, r -> r.rate(cls))
          .description("Quarantined share of the class's last " + rateWindow + " verdicts")
          .tag("class", label).register(registry);
    }
    for (Decision d : decisions) {
      entropy.put(d, DistributionSummary.builder("sieve.entropy").description("Victim prediction entropy (nats)")
          .tag("decision", d.name().toLowerCase()).serviceLevelObjectives(ENTROPY_BUCKETS).register(registry));
    }
    for (ErrorClass e : ErrorClass.values()) {
      deadLetters.put(e, Counter.builder("sieve.dead.letters").description("Records sent to the dead-letter topic")
          .tag("error", e.name()).register(registry));
    }
    alerts = new Counter[classes];
    for (int c = 0; c < classes; c++) {
      alerts[c] = Counter.builder("sieve.alerts").description("Quarantine-rate jumps raised as alerts")
          .tag("class", Integer.toString(c)).register(registry);
    }
    retractions = new Counter[classes];
    for (int c = 0; c < classes; c++) {
      retractions[c] = Counter.builder("sieve.retractions")
          .description("Credible verdicts retracted because a newer Victim calls the sample suspect")
          .tag("class", Integer.toString(c)).register(registry);
    }
    featureOutliers = new Counter[classes];
    for (int c = 0; c < classes; c++) {
      featureOutliers[c] = Counter.builder("sieve.feature.outliers")
          .description("Samples quarantined by the Victim's in-class feature test (reason feature-outlier)")
          .tag("class", Integer.toString(c)).register(registry);
    }
    batchSize = DistributionSummary.builder("sieve.batch.size").description("Samples per scored batch")
        .serviceLevelObjectives(BATCH_SIZE_BUCKETS).register(registry);
    batchLatency = Timer.builder("sieve.batch.latency").description("Victim scoring time per batch")
        .publishPercentileHistogram().register(registry);
    for (VictimFollower.RefusalKind kind : VictimFollower.RefusalKind.values()) {
      victimRefusals.put(kind, Counter.builder("sieve.victim.refusals")
          .description("Records on victim-models refused (not installed), by the check they failed")
          .tag("reason", kind.name().toLowerCase()).register(registry));
    }
    Gauge.builder("sieve.victim.version", victimVersion, AtomicLong::get)
        .description("Version of the Victim that scored the last batch (0 before the first)").register(registry);
  }

  public QuarantineRates rates() {
    return rates;
  }

  @Override
  public void batchScored(int size, long scoringNanos, long version) {
    batchSize.record(size);
    batchLatency.record(scoringNanos, TimeUnit.NANOSECONDS);
    victimVersion.set(version);
  }

  @Override
  public void verdict(int label, Decision decision, double entropyValue) {
    if (label >= 0 && label < verdicts.length) {
      verdicts[label][decision.ordinal()].increment();
    }
    rates.record(label, decision == Decision.QUARANTINE);
    entropy.get(decision).record(entropyValue);
  }

  @Override
  public void deadLettered(ErrorClass error) {
    deadLetters.get(error).increment();
  }

  /** A record on victim-models was refused; see {@code FilterApp#victimRefusals()} for why. */
  public void victimRefused(VictimFollower.Refusal refusal) {
    victimRefusals.get(refusal.kind()).increment();
  }

  @Override
  public void featureOutlier(int label) {
    if (label >= 0 && label < featureOutliers.length) {
      featureOutliers[label].increment();
    }
  }

  @Override
  public void retracted(int label) {
    if (label >= 0 && label < retractions.length) {
      retractions[label].increment();
    }
  }

  @Override
  public void alertRaised(int label) {
    if (label >= 0 && label < alerts.length) {
      alerts[label].increment();
    }
  }
}

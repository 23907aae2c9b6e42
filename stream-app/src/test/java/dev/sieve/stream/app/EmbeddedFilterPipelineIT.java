package dev.sieve.stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.data.FashionMnist;
import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.eval.metrics.DetectionReport;
import dev.sieve.ops.Health;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter end to end on an embedded KRaft broker, with real DJL Victims and Fashion-MNIST.
 *
 * <p>Two cases judge one run: a 10,000-sample BadNets stream with malformed records in it
 * ({@link #tenThousandSampleRun}), run once for the class, since the Victim's warm-up and rounds
 * on it are most of the class's time. One case asserts conservation, dead-lettering, meters and
 * health on it, the other the detection.
 */
class EmbeddedFilterPipelineIT {

  private static EmbeddedKafkaBroker broker;
  private static FashionMnist.Split train;

  /** The class's shared run's working directory. */
  @TempDir static Path sharedDir;
  /** The shared run, or what it failed with; made by the first case that needs it. */
  private static SharedRun sharedRun;
  private static Throwable sharedRunFailure;

  @TempDir Path workDir;

  @BeforeAll
  static void startBroker() throws Exception {
    train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** What one run of the filter left to assert: its outputs, its meters, its health running and closed. */
  private record SharedRun(long sent, DetectionReport report, long victimVersion, double verdictsCounted,
      double deadLettersCounted, double victimVersionGauge, boolean clientMetricsBound, Health running, Health closed) {}

  /**
   * BadNets at 10 % on the first 10,000 training images (seed 7), after {@link
   * FilterPipelineScenarios#MALFORMED} malformed records, through one filter whose Victim warms up
   * on all 10,000; read to the end with a settle for duplicates. Run once, on the first call.
   */
  private static synchronized SharedRun tenThousandSampleRun() throws Exception {
    if (sharedRun == null && sharedRunFailure == null) {
      try {
        sharedRun = runTenThousandSamples();
      } catch (Exception | AssertionError e) {
        sharedRunFailure = e;
      }
    }
    if (sharedRunFailure != null) {
      throw new AssertionError("the shared 10,000-sample run failed", sharedRunFailure);
    }
    return sharedRun;
  }

  private static SharedRun runTenThousandSamples() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), sharedDir, train).withSeed(7);
    s.produceMalformed();
    long sent = s.produce(10_000, 0.1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FilterApp app = s.app(10_000, meters).start();
    DetectionReport report;
    long version;
    double verdicts;
    double deadLetters;
    double versionGauge;
    boolean clientMetrics;
    Health running;
    try {
      FilterPipelineScenarios.awaitFirstVictim(app);
      report = s.evaluate(sent + FilterPipelineScenarios.MALFORMED, Duration.ofMinutes(5), new AtomicLong());
      System.out.println("BadNets 10% on 10k samples, seed 7, with malformed records: " + report.summaryLine());
      // Read while the app runs (its client metrics go with it). Exactly-once could redo an aborted
      // batch, so the counters are asserted "at least".
      version = app.registry().currentVersion().orElse(0L);
      verdicts = meters.find("sieve.verdicts").counters().stream().mapToDouble(c -> c.count()).sum();
      deadLetters = meters.find("sieve.dead.letters").counters().stream().mapToDouble(c -> c.count()).sum();
      versionGauge = meters.get("sieve.victim.version").gauge().value();
      clientMetrics = meters.find("kafka.consumer.fetch.manager.records.consumed.total").functionCounters().size() > 0
          || !meters.find("kafka.stream.thread.process.rate").meters().isEmpty();
      running = app.health();
    } finally {
      app.close();
    }
    return new SharedRun(sent, report, version, verdicts, deadLetters, versionGauge, clientMetrics, running,
        app.health());
  }

  @Test
  void everySampleComesOutExactlyOnceAndMalformedOnesAreDeadLettered() throws Exception {
    SharedRun run = tenThousandSampleRun();
    FilterPipelineScenarios.assertConserved(run.report(), run.sent(), FilterPipelineScenarios.MALFORMED);
    assertTrue(run.victimVersion() >= 1, "a Victim version scored the samples");
    assertTrue(run.verdictsCounted() >= run.sent(), run.verdictsCounted() + " verdicts counted for " + run.sent()
        + " samples");
    assertTrue(run.deadLettersCounted() >= FilterPipelineScenarios.MALFORMED, run.deadLettersCounted()
        + " dead letters counted");
    assertTrue(run.victimVersionGauge() >= 1);
    assertTrue(run.clientMetricsBound(), "Kafka Streams client metrics are bound");
    assertTrue(run.running().up(), "running: " + run.running());
    assertFalse(run.closed().up(), "closed: " + run.closed());
  }

  @Test
  void aRestartInTheMiddleLosesAndDoublesNothing() throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir, train);
    int total = 2000;
    // The stream arrives in three parts, each after an event, not at a pace: samples wait when the
    // first instance stops, more arrive while none runs, and the rest once the second has started.
    // The first part is exactly the Victim's head (1,000): the smallest stream that gets a Victim.
    long sent = s.produceRange(total, 0.1, 0, 1000);
    try (FilterApp first = s.app(1000).start()) {
      FilterPipelineScenarios.awaitFirstVictim(first);
      DetectionReport partial = s.evaluateNoSettle(total / 4, Duration.ofMinutes(3));
      assertTrue(partial.complete(), "the first instance decided nothing: " + partial.summaryLine());
    }
    sent += s.produceRange(total, 0.1, 1000, 1500);
    try (FilterApp second = s.app(1000).start()) {
      sent += s.produceRange(total, 0.1, 1500, total);
      assertEquals(total, sent);
      DetectionReport report = s.evaluate(sent, Duration.ofMinutes(3), new AtomicLong());
      FilterPipelineScenarios.assertConserved(report, sent, 0);
    }
  }

  /**
   * One seed, with a margin: runs of this seed have given recall 0.83 to 1.00 on different
   * machines (DJL's floating point is not bit-stable across thread counts and CPUs). The bound of
   * 0.9 is asserted over several seeds in {@link #theVictimDetectsBadNetsOverSeeds} (-Pslow).
   */
  @Test
  void theVictimDetectsBadNetsOnATenThousandSampleStream() throws Exception {
    SharedRun run = tenThousandSampleRun();
    DetectionReport report = run.report();
    FilterPipelineScenarios.assertConserved(report, run.sent(), FilterPipelineScenarios.MALFORMED);
    assertEquals(1000, report.truePositives() + report.falseNegatives(), "1,000 poisoned samples were sent");
    assertTrue(report.recall() >= 0.8, "recall below 0.8: " + report.summaryLine());
  }

  /** The median recall over three seeds is at least 0.9. */
  @Test
  @Tag("slow")
  void theVictimDetectsBadNetsOverSeeds() throws Exception {
    List<Double> recalls = new ArrayList<>();
    for (long seed : new long[] {7, 11, 13}) {
      recalls.add(detectBadNets(seed).recall());
    }
    Collections.sort(recalls);
    assertTrue(recalls.get(1) >= 0.9, "median recall below 0.9 over seeds 7, 11, 13: " + recalls);
  }

  private DetectionReport detectBadNets(long seed) throws Exception {
    FilterPipelineScenarios s = new FilterPipelineScenarios(broker.bootstrapServers(), workDir.resolve("seed-" + seed),
        train).withSeed(seed);
    long sent = s.produce(10_000, 0.1);
    try (FilterApp app = s.app(10_000).start()) {
      FilterPipelineScenarios.awaitFirstVictim(app);
      DetectionReport report = s.evaluate(sent, Duration.ofMinutes(5), new AtomicLong());
      FilterPipelineScenarios.assertConserved(report, sent, 0);
      System.out.println("BadNets 10% on 10k samples, seed " + seed + ": " + report.summaryLine());
      assertEquals(1000, report.truePositives() + report.falseNegatives(), "1,000 poisoned samples were sent");
      return report;
    }
  }
}

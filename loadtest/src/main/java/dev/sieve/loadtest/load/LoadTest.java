package dev.sieve.loadtest.load;

import dev.sieve.loadtest.produce.TimedLoad;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Drives a running filter at given rates and measures it from the outside, as a user would: what
 * goes in ({@link TimedLoad}), when each verdict becomes readable ({@link VerdictLatency}), and how
 * far the filter's consumer group is behind ({@link GroupLag}).
 *
 * <p>A step sends at one rate for one duration while the lag is sampled every second, then waits
 * for the verdicts of everything it sent (at most the drain limit), so one step's backlog does not
 * count against the next and every latency of the step is in its histogram. A step is
 * <b>sustained</b> when every record sent got its verdict, the lag when sending stopped was under
 * two seconds' worth of records, and p99 latency is under the latency bound. A ramp multiplies the
 * rate until a step is not sustained.
 */
public final class LoadTest {

  /** Where the batch-size distribution comes from; absent when the filter runs elsewhere. */
  public interface BatchSizes {
    /** Cumulative count of batches of size ≤ each bound, in bound order; same bounds on every call. */
    double[] cumulativeCounts();

    double[] bounds();
  }

  /**
   * One step's figures.
   *
   * @param verdictRate verdicts read over the step, sending and tail together
   * @param batchSizeCounts batches per size bucket during the step (≤ bound i), or null
   */
  public record Step(double targetRate, double sentRate, double verdictRate, double megabytesPerSecond,
      long verdicts, long p50Ms, long p95Ms, long p99Ms, long maxMs, long maxLag, long endLag, double[] batchBounds,
      double[] batchSizeCounts, boolean sustained) {

    public String line() {
      return String.format(Locale.ROOT, "target %7.0f/s | sent %7.0f/s | verdicts %7.0f/s %6.2f MB/s | latency ms"
              + " p50 %6d p95 %6d p99 %6d max %6d | lag max %6d end %6d | %s",
          targetRate, sentRate, verdictRate, megabytesPerSecond, p50Ms, p95Ms, p99Ms, maxMs, maxLag, endLag,
          sustained ? "sustained" : "NOT sustained");
    }

    public String batchLine() {
      if (batchBounds == null) {
        return "batch sizes: n/a (the filter runs elsewhere; see its sieve_batch_size metric)";
      }
      StringBuilder b = new StringBuilder("batch sizes:");
      double previous = 0;
      for (int i = 0; i < batchBounds.length; i++) {
        b.append(String.format(Locale.ROOT, " %s%.0f:%.0f", i == 0 ? "≤" : (long) previous + "<..≤", batchBounds[i],
            batchSizeCounts[i]));
        previous = batchBounds[i];
      }
      return b.toString();
    }
  }

  private final TimedLoad load;
  private final VerdictLatency latency;
  private final GroupLag lag;
  private final BatchSizes batches;
  private final Duration latencyBound;
  private final Duration drainLimit;
  private final PrintStream out;

  public LoadTest(TimedLoad load, VerdictLatency latency, GroupLag lag, BatchSizes batchesOrNull,
      Duration latencyBound, Duration drainLimit, PrintStream out) {
    this.load = Objects.requireNonNull(load, "load");
    this.latency = Objects.requireNonNull(latency, "latency");
    this.lag = Objects.requireNonNull(lag, "lag");
    this.batches = batchesOrNull;
    this.latencyBound = latencyBound;
    this.drainLimit = drainLimit;
    this.out = out;
  }

  /** One step at {@code rate} for {@code duration}, then a drain. */
  public Step step(double rate, Duration duration) throws Exception {
    drain();
    latency.interval(); // discard what arrived before this step
    long verdictsBefore = latency.verdicts();
    long stepStarted = System.nanoTime();
    double[] batchesBefore = batches == null ? null : batches.cumulativeCounts();
    ExecutorService sender = Executors.newSingleThreadExecutor(r -> new Thread(r, "sieve-loadtest-sender"));
    long maxLag = 0;
    long endLag;
    TimedLoad.Sent sent;
    try {
      Future<TimedLoad.Sent> sending = sender.submit(() -> load.run(rate, duration));
      long started = System.nanoTime();
      while (!sending.isDone()) {
        Thread.sleep(1000);
        long current = lag.lag();
        maxLag = Math.max(maxLag, current);
        if (out != null) {
          out.printf(Locale.ROOT, "\r  %4.0f s of %d s at %.0f/s, lag %d      ", (System.nanoTime() - started) / 1e9,
              duration.toSeconds(), rate, current);
          out.flush();
        }
      }
      sent = sending.get();
      endLag = lag.lag();
      maxLag = Math.max(maxLag, endLag);
    } finally {
      sender.shutdownNow();
    }
    // The tail: verdicts of the last records sent arrive after sending stops.
    long deadline = System.nanoTime() + drainLimit.toNanos();
    while (latency.verdicts() - verdictsBefore < sent.records() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(100);
    }
    double seconds = (System.nanoTime() - stepStarted) / 1e9;
    VerdictLatency.Interval interval = latency.interval();
    if (out != null) {
      out.print("\r");
    }
    Histogram h = interval.latencyMs();
    double verdictRate = interval.verdicts() / seconds;
    double[] batchCounts = null;
    double[] bounds = null;
    if (batches != null) {
      bounds = batches.bounds();
      double[] after = batches.cumulativeCounts();
      batchCounts = new double[after.length];
      for (int i = 0; i < after.length; i++) {
        double cumulative = after[i] - batchesBefore[i];
        double below = i == 0 ? 0 : after[i - 1] - batchesBefore[i - 1];
        batchCounts[i] = cumulative - below;
      }
    }
    long p99 = h.getTotalCount() == 0 ? Long.MAX_VALUE : h.getValueAtPercentile(99);
    boolean sustained = interval.verdicts() >= sent.records()
        && endLag <= Math.max(1000, 2 * sent.recordsPerSecond())
        && p99 <= latencyBound.toMillis();
    return new Step(rate, sent.recordsPerSecond(), verdictRate, interval.bytes() / seconds / 1e6, interval.verdicts(),
        h.getValueAtPercentile(50), h.getValueAtPercentile(95), p99, h.getMaxValue(), maxLag, endLag, bounds,
        batchCounts, sustained);
  }

  /**
   * Steps from {@code startRate}, multiplying by {@code factor}, until a step is not sustained or
   * {@code maxRate} is passed. The last sustained step's rate is the highest sustainable rate found.
   */
  public List<Step> ramp(double startRate, double factor, double maxRate, Duration stepDuration,
      Supplier<Boolean> keepGoing) throws Exception {
    if (!(factor > 1)) {
      throw new IllegalArgumentException("ramp factor is " + factor + ", expected > 1");
    }
    List<Step> steps = new ArrayList<>();
    for (double rate = startRate; rate <= maxRate && keepGoing.get(); rate *= factor) {
      Step s = step(rate, stepDuration);
      steps.add(s);
      if (out != null) {
        out.println(s.line());
      }
      if (!s.sustained()) {
        break;
      }
    }
    return steps;
  }

  /** Waits until the filter has caught up (lag 0), at most the drain limit. */
  private void drain() throws InterruptedException {
    long deadline = System.nanoTime() + drainLimit.toNanos();
    while (lag.lag() > 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(500);
    }
  }
}

package dev.sieve.stream.app;

import dev.sieve.stream.topology.FilterMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Whether the Victim this instance scores with is fresh enough to trust, for {@code /health}.
 *
 * <p>Two ways a filter can be up and still wrong: samples wait for a first Victim that never
 * comes (the updater died, or runs nowhere), or one Victim judges sample after sample while no
 * newer version arrives (the updater is stuck or refused). The first is measured in time since
 * the first sample started waiting, the second in samples judged by the same version, not in
 * time, since a quiet stream rightly gets no new version for hours.
 *
 * @see FilterApp#health()
 */
final class VictimFreshness implements FilterMetrics {

  /**
   * @param firstVictimTimeout how long samples may wait for the first Victim
   * @param staleAfterSamples how many samples one Victim version may judge before it counts as
   *     stale (the updater publishes one every {@code --retrain-every}, 10,000 by default)
   */
  record Limits(Duration firstVictimTimeout, long staleAfterSamples) {

    /** An hour for the first version (a warm-up on a slow stream), ten rounds' worth of samples. */
    static final Limits DEFAULT = new Limits(Duration.ofHours(1), 100_000);

    Limits {
      if (firstVictimTimeout == null || firstVictimTimeout.isNegative() || firstVictimTimeout.isZero()) {
        throw new IllegalArgumentException("firstVictimTimeout must be positive, got " + firstVictimTimeout);
      }
      if (staleAfterSamples <= 0) {
        throw new IllegalArgumentException("staleAfterSamples must be positive, got " + staleAfterSamples);
      }
    }
  }

  private final Limits limits;
  private final LongSupplier clockMillis;
  private final AtomicLong firstWaitingAt = new AtomicLong(-1);
  private final AtomicLong judgedVersion = new AtomicLong(-1);
  private final AtomicLong judgedByVersion = new AtomicLong();

  VictimFreshness(Limits limits, LongSupplier clockMillis) {
    this.limits = limits;
    this.clockMillis = clockMillis;
  }

  @Override
  public void sampleAccepted() {
    firstWaitingAt.compareAndSet(-1, clockMillis.getAsLong());
  }

  @Override
  public void batchScored(int size, long scoringNanos, long victimVersion) {
    long previous = judgedVersion.getAndSet(victimVersion);
    if (previous != victimVersion) {
      judgedByVersion.set(0);
    }
    judgedByVersion.addAndGet(size);
  }

  /** Why the Victim is not fresh, or empty when it is; {@code installed} is the version in force. */
  Optional<String> problem(Optional<Long> installed) {
    if (installed.isEmpty()) {
      long since = firstWaitingAt.get();
      if (since < 0) {
        return Optional.empty();
      }
      Duration waited = Duration.ofMillis(clockMillis.getAsLong() - since);
      return waited.compareTo(limits.firstVictimTimeout()) > 0
          ? Optional.of("samples have waited " + waited.toSeconds() + " s for a first Victim version (limit "
              + limits.firstVictimTimeout().toSeconds() + " s): is the Victim updater running, and are its versions refused?")
          : Optional.empty();
    }
    long judged = judgedVersion.get() == installed.get() ? judgedByVersion.get() : 0;
    return judged > limits.staleAfterSamples()
        ? Optional.of("Victim v" + installed.get() + " has judged " + judged + " samples with no newer version (limit "
            + limits.staleAfterSamples() + "): is the Victim updater stuck, or are its versions refused?")
        : Optional.empty();
  }
}

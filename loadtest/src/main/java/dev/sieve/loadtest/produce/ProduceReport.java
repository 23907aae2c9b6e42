package dev.sieve.loadtest.produce;

import java.util.Locale;

/**
 * What a load run sent.
 *
 * @param sent records acknowledged by the broker
 * @param poisoned how many of them were poisoned by the attack
 * @param seconds wall-clock time from the first send to the last acknowledgement
 * @param recordsPerSecond {@code sent / seconds}; NaN when no time elapsed
 */
public record ProduceReport(long sent, long poisoned, double seconds, double recordsPerSecond) {

  public String summaryLine() {
    return String.format(Locale.ROOT, "sent %d samples (%d poisoned) in %.2f s, %.0f records/s",
        sent, poisoned, seconds, recordsPerSecond);
  }
}

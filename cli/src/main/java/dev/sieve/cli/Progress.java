package dev.sieve.cli;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on stderr, redrawn at most a few times a second. */
final class Progress {

  private static final long REDRAW_NANOS = 250_000_000L;
  private final String label;
  private final long total;
  private final long startedNanos = System.nanoTime();
  private final PrintStream out = System.err;
  private long lastDrawNanos;

  Progress(String label, long total) {
    this.label = label;
    this.total = total;
  }

  synchronized void update(long done) {
    long now = System.nanoTime();
    if (now - lastDrawNanos < REDRAW_NANOS && done < total) {
      return;
    }
    lastDrawNanos = now;
    double seconds = (now - startedNanos) / 1e9;
    int width = 30;
    int filled = total <= 0 ? 0 : (int) Math.min(width, width * done / total);
    double rate = seconds > 0 ? done / seconds : 0.0;
    out.printf(Locale.ROOT, "\r%-10s [%s%s] %d/%d  %.0f/s  %.1fs  %s", label, "#".repeat(filled),
        ".".repeat(width - filled), done, total, rate, seconds, eta(done, rate));
    out.flush();
  }

  /** Time left at the current rate; padded so a shorter value overwrites a longer one on the same line. */
  private String eta(long done, double rate) {
    if (done >= total) {
      return "done     ";
    }
    if (rate <= 0) {
      return "ETA ?    ";
    }
    long left = Math.round((total - done) / rate);
    return String.format(Locale.ROOT, "ETA %-5s", left >= 3600 ? left / 3600 + "h" + (left % 3600) / 60 + "m"
        : left >= 60 ? left / 60 + "m" + left % 60 + "s" : left + "s");
  }

  synchronized void finish() {
    out.println();
  }
}

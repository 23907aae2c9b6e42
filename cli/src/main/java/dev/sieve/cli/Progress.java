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
    out.printf(Locale.ROOT, "\r%-10s [%s%s] %d/%d  %.0f/s  %.1fs", label, "#".repeat(filled), ".".repeat(width - filled),
        done, total, seconds > 0 ? done / seconds : 0.0, seconds);
    out.flush();
  }

  synchronized void finish() {
    out.println();
  }
}

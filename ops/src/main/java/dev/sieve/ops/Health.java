package dev.sieve.ops;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * What {@code /health} answers: up or not, and a word on why (the Streams state, say).
 *
 * @param up whether the process does its job now; {@code /health} answers 200 when up, else 503
 * @param detail the state behind the answer, for a person reading the probe's output
 */
public record Health(boolean up, String detail) {

  public Health {
    Objects.requireNonNull(detail, "detail");
  }

  public static Health up(String detail) {
    return new Health(true, detail);
  }

  public static Health down(String detail) {
    return new Health(false, detail);
  }

  /** A check that is up while the process runs, for processes with no richer state. */
  public static Supplier<Health> alwaysUp(String detail) {
    return () -> up(detail);
  }

  String json() {
    return "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"detail\":\"" + escape(detail) + "\"}";
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

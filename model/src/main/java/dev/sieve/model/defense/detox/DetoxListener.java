package dev.sieve.model.defense.detox;

/** Hears a detox method's progress: one line per stage, for progress output on long runs. */
@FunctionalInterface
public interface DetoxListener {

  void onProgress(String message);

  static DetoxListener silent() {
    return message -> { };
  }
}

package dev.sieve.eval;

/** One point of a training curve: the model after {@code epoch} epochs of {@code phase}. */
public record EpochPoint(int epoch, String phase, double loss, double cleanAccuracy, double attackSuccessRate) {}

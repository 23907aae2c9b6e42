package dev.sieve.model.scoring;

/**
 * A Victim version's decision on one sample.
 *
 * @param score the entropy normalised to [0,1]
 * @param threshold the normalised-score threshold in force; {@code score <= threshold} is suspect
 * @param suspect whether the sample goes to quarantine
 * @param reason why, for a person to read
 */
public record Judgement(double score, double threshold, boolean suspect, String reason) {}

package dev.sieve.eval.metrics;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The retractions topic as far as it was read ({@link VerdictEvaluator#retractions}): each record
 * takes back one credible verdict, so a poisoned sample that was released and then retracted is
 * caught after all.
 *
 * @param total retractions read
 * @param poisoned of which for samples the ground-truth header calls poisoned
 * @param clean of which for samples it calls clean
 * @param readTo per partition, the offset after the last retraction read
 */
public record Retractions(long total, long poisoned, long clean, Map<TopicPartition, Long> readTo) {

  public Retractions {
    readTo = Map.copyOf(readTo);
  }

  /**
   * Recall once retractions count: (poisoned samples quarantined at first judgement + poisoned
   * ones retracted) / poisoned samples. A sample is retracted at most once, and only after a
   * credible verdict, so nothing is counted twice.
   */
  public double recallAfter(DetectionReport firstJudgement) {
    long poisonedSamples = firstJudgement.truePositives() + firstJudgement.falseNegatives();
    return poisonedSamples == 0 ? Double.NaN : (double) (firstJudgement.truePositives() + poisoned) / poisonedSamples;
  }
}

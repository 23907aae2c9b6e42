package dev.sieve.trainer.replay;

import dev.sieve.model.scoring.VictimModel;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.topology.QuarantineRouter;
import dev.sieve.stream.topology.SampleValidator;
import dev.sieve.stream.topology.Validation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Re-scores the records of a range by the live rules. Each record is validated by the filter's
 * {@link SampleValidator}; a duplicate id within the duplicate window of an earlier accepted copy in
 * the same partition is refused as the filter refuses it; the accepted samples are scored in
 * batches of the filter's size by {@link QuarantineRouter#verdicts}, the filter's own scoring. Each
 * batch's verdicts and refused records go to {@link ReplayOutputs} together, so every record in the
 * range ends in exactly one output.
 */
final class Rescorer implements TopicReader.Handler {

  /**
   * What the range came to: counts of records and of each outcome, and, when a Beneficiary is to be
   * trained, the credible and quarantined samples (empty otherwise).
   */
  record Rescored(long records, long credible, long quarantine, long deadLetters, List<LabeledSample> credibleSamples,
      List<LabeledSample> quarantinedSamples) {}

  /** Where and when (record time) an accepted id was first seen in this partition. */
  private record Accepted(String where, long timestamp) {}

  private final SampleValidator validator;
  private final VictimModel victim;
  private final ReplayOutputs outputs;
  private final int batchSize;
  private final Duration duplicateWindow;
  private final boolean keepSamples;

  // The live filter keeps the ids it accepted per partition (a task's store); so does replay.
  private final Map<String, Accepted> accepted = new HashMap<>();
  private final List<ConsumerRecord<byte[], byte[]>> batch;
  private final List<LabeledSample> samples;
  private final List<ReplayOutputs.Refused> refused = new ArrayList<>();

  private long records;
  private long credibleCount;
  private long quarantineCount;
  private long deadLetterCount;
  private final List<LabeledSample> credibleSamples = new ArrayList<>();
  private final List<LabeledSample> quarantinedSamples = new ArrayList<>();

  Rescorer(ReplayConfig config, VictimModel victim, ReplayOutputs outputs) {
    this.validator = new SampleValidator(config.filter());
    this.victim = victim;
    this.outputs = outputs;
    this.batchSize = config.filter().batchSize();
    this.duplicateWindow = config.filter().duplicateWindow();
    this.keepSamples = config.train();
    this.batch = new ArrayList<>(batchSize);
    this.samples = new ArrayList<>(batchSize);
  }

  @Override
  public void onRecord(ConsumerRecord<byte[], byte[]> record) {
    records++;
    Validation validation = validate(record);
    if (validation instanceof Validation.Valid valid) {
      LabeledSample sample = valid.sample();
      Accepted first = accepted.get(sample.getId());
      if (first != null && Math.abs(record.timestamp() - first.timestamp()) <= duplicateWindow.toMillis()) {
        refused.add(new ReplayOutputs.Refused(record, Validation.duplicate(sample.getId(), first.where(),
            duplicateWindow)));
      } else {
        accepted.put(sample.getId(), new Accepted(record.topic() + "-" + record.partition() + "@" + record.offset(),
            record.timestamp()));
        batch.add(record);
        samples.add(sample);
      }
    } else if (validation instanceof Validation.Invalid invalid) {
      refused.add(new ReplayOutputs.Refused(record, invalid));
    }
    if (samples.size() == batchSize) {
      write();
    }
  }

  @Override
  public void onSpanEnd() {
    write();
    accepted.clear();
  }

  Rescored rescored() {
    return new Rescored(records, credibleCount, quarantineCount, deadLetterCount, credibleSamples, quarantinedSamples);
  }

  private Validation validate(ConsumerRecord<byte[], byte[]> record) {
    try {
      return validator.validate(record.key(), record.value());
    } catch (RuntimeException e) {
      // As in the filter: a validator bug refuses the record instead of stopping the replay.
      return Validation.validatorFailed(e);
    }
  }

  /** Scores the batch, writes its verdicts and the refused records in one transaction, counts, then clears them. */
  private void write() {
    if (batch.isEmpty() && refused.isEmpty()) {
      return;
    }
    Instant now = Instant.now();
    List<Verdict> scored = samples.isEmpty() ? List.of() : QuarantineRouter.verdicts(victim, samples, now);
    outputs.write(refused, batch, scored, now);
    deadLetterCount += refused.size();
    for (Verdict verdict : scored) {
      if (verdict.getDecision() == Decision.QUARANTINE) {
        quarantineCount++;
        if (keepSamples) {
          quarantinedSamples.add(verdict.getSample());
        }
      } else {
        credibleCount++;
        if (keepSamples) {
          credibleSamples.add(verdict.getSample());
        }
      }
    }
    batch.clear();
    samples.clear();
    refused.clear();
  }
}

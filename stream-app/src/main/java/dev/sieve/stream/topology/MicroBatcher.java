package dev.sieve.stream.topology;

import dev.sieve.model.scoring.SplitRule;
import dev.sieve.model.scoring.Victim;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.victim.VictimLease;
import dev.sieve.stream.victim.VictimRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects validated samples into batches so the Victim scores many per forward pass, then routes
 * each verdict.
 *
 * <p>The buffer is a persistent, changelogged store keyed by an increasing sequence number
 * (serialised big-endian, so the store iterates in arrival order). A sample is deleted only after
 * its verdict has been forwarded, so under exactly-once a crash loses and doubles nothing, and a
 * restart resumes with whatever was still waiting.
 *
 * <p>A batch is flushed when the buffer holds a full batch, or when its oldest sample has waited
 * maxBatchWait (checked by a wall-clock punctuator, so a quiet partition still drains). Nothing is
 * flushed before the first Victim exists. One lease covers a whole batch, so a batch is scored by
 * exactly one version and a hot swap takes effect between batches. If scoring fails the batch
 * stays buffered and is retried at the next punctuation.
 */
final class MicroBatcher implements Processor<byte[], LabeledSample, byte[], Verdict> {

  private static final Logger log = LoggerFactory.getLogger(MicroBatcher.class);
  /**
   * How long one process() or punctuation may spend flushing. Everything flushed between two
   * commits is one exactly-once transaction: draining a backlog of tens of thousands of samples
   * at once outlives the transaction timeout and the broker aborts it. Within this budget the
   * backlog drains over many short transactions, and readers see verdicts as they are made.
   */
  static final long FLUSH_BUDGET_NANOS = 250_000_000L;

  private final FilterConfig config;
  private final VictimRegistry victims;
  private final QuarantineRouter router;
  private final FilterMetrics metrics;
  private final BufferedSampleCodec codec = new BufferedSampleCodec();

  private ProcessorContext<byte[], Verdict> context;
  private KeyValueStore<Long, byte[]> buffer;
  /** The key the next arriving sample gets. */
  private long nextSequence;
  /**
   * No live key is below this. Reads start here rather than at the beginning of the store because
   * RocksDB would otherwise step over every tombstone a past flush left behind.
   */
  private long headSequence;
  private long buffered;
  /** Set after a scoring failure: process() must not retry on every record, only the punctuator. */
  private boolean holdUntilPunctuation;

  MicroBatcher(FilterConfig config, VictimRegistry victims, QuarantineRouter router, FilterMetrics metrics) {
    this.config = config;
    this.victims = victims;
    this.router = router;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], Verdict> context) {
    this.context = context;
    this.buffer = context.getStateStore(FilterTopology.BUFFER_STORE);
    recoverSequences();
    context.schedule(config.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  /** After a restart the store may hold a restored backlog: continue numbering after its last key. */
  private void recoverSequences() {
    StoredSequences restored = StoredSequences.of(buffer);
    headSequence = restored.head();
    nextSequence = restored.next();
    buffered = restored.count();
    if (buffered > 0) {
      log.info("task {}: {} buffered samples restored (sequences {}..{})", context.taskId(), buffered, headSequence,
          nextSequence - 1);
    }
  }

  @Override
  public void process(Record<byte[], LabeledSample> record) {
    BufferedSample entry = new BufferedSample(record.key(), record.headers(), record.timestamp(),
        context.currentSystemTimeMs(), record.value());
    buffer.put(nextSequence++, codec.encode(entry));
    buffered++;
    if (!holdUntilPunctuation) {
      long deadline = System.nanoTime() + FLUSH_BUDGET_NANOS;
      while (buffered >= config.batchSize() && System.nanoTime() < deadline && flushOneBatch()) {
        // keep flushing full batches, within the budget
      }
    }
  }

  private void punctuate(long now) {
    holdUntilPunctuation = false;
    long deadline = System.nanoTime() + FLUSH_BUDGET_NANOS;
    while (buffered > 0 && (buffered >= config.batchSize() || oldestWaitedTooLong(now))
        && System.nanoTime() < deadline && flushOneBatch()) {
      // a backlog (e.g. samples that waited for the first Victim) drains in batchSize chunks
    }
  }

  private boolean oldestWaitedTooLong(long now) {
    try (KeyValueIterator<Long, byte[]> it = buffer.range(headSequence, Long.MAX_VALUE)) {
      if (!it.hasNext()) {
        return false;
      }
      long bufferedAt = BufferedSampleCodec.bufferedAtMs(it.next().value);
      return now - bufferedAt >= config.maxBatchWait().toMillis();
    }
  }

  /**
   * Scores and forwards up to batchSize of the oldest samples under one lease.
   *
   * @return whether a batch was flushed; false when there is no Victim yet, nothing buffered, or
   *     scoring failed
   */
  private boolean flushOneBatch() {
    Optional<VictimLease> maybeLease = victims.acquire();
    if (maybeLease.isEmpty()) {
      return false;
    }
    try (VictimLease lease = maybeLease.get()) {
      int capacity = (int) Math.min(config.batchSize(), buffered);
      List<Long> keys = new ArrayList<>(capacity);
      List<BufferedSample> batch = new ArrayList<>(capacity);
      try (KeyValueIterator<Long, byte[]> it = buffer.range(headSequence, Long.MAX_VALUE)) {
        while (it.hasNext() && keys.size() < config.batchSize()) {
          KeyValue<Long, byte[]> entry = it.next();
          keys.add(entry.key);
          batch.add(codec.decode(entry.value));
        }
      }
      if (keys.isEmpty()) {
        buffered = 0;
        return false;
      }
      Victim victim = lease.victim();
      List<Verdict> verdicts;
      long scoringStarted = System.nanoTime();
      try {
        verdicts = score(victim, batch);
      } catch (RuntimeException e) {
        holdUntilPunctuation = true;
        log.warn("task {}: Victim {} v{} failed to score a batch of {}; the samples stay buffered and are"
            + " retried at the next punctuation", context.taskId(), victim.modelId(), victim.version(), batch.size(), e);
        return false;
      }
      metrics.batchScored(batch.size(), System.nanoTime() - scoringStarted, victim.version());
      // Every verdict exists before the first is forwarded, so a failure cannot emit half a batch.
      for (int i = 0; i < batch.size(); i++) {
        BufferedSample sample = batch.get(i);
        Verdict verdict = verdicts.get(i);
        Record<byte[], Verdict> out = new Record<>(sample.key(), verdict, sample.timestamp(), sample.headers());
        context.forward(out, router.sinkFor(verdict.getDecision()));
        context.forward(out, FilterTopology.ALERT_DETECTOR);
        if (config.retractionsEnabled() && verdict.getDecision() == Decision.CREDIBLE) {
          context.forward(out, FilterTopology.RETRACTOR); // kept, for newer Victims to re-judge
        }
        metrics.verdict(verdict.getSample().getLabel(), verdict.getDecision(), verdict.getEntropy());
        if (verdict.getDecision() == Decision.QUARANTINE && verdict.getReason().startsWith(SplitRule.FEATURE_OUTLIER)) {
          metrics.featureOutlier(verdict.getSample().getLabel());
        }
      }
      for (Long key : keys) {
        buffer.delete(key);
      }
      headSequence = keys.get(keys.size() - 1) + 1;
      buffered -= keys.size();
      log.debug("task {}: flushed {} samples scored by {} v{}; {} still buffered",
          context.taskId(), keys.size(), victim.modelId(), victim.version(), buffered);
      return true;
    }
  }

  private List<Verdict> score(Victim victim, List<BufferedSample> batch) {
    List<LabeledSample> samples = new ArrayList<>(batch.size());
    for (BufferedSample b : batch) {
      samples.add(b.sample());
    }
    return QuarantineRouter.verdicts(victim, samples, Instant.ofEpochMilli(context.currentSystemTimeMs()));
  }
}

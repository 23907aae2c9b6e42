package dev.sieve.stream.topology;

import dev.sieve.model.scoring.Victim;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.victim.VictimLease;
import dev.sieve.stream.victim.VictimRegistry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * Takes back credible verdicts that a newer Victim version would not have given.
 *
 * <p>Why: Victim versions improve over the stream, and the first ones split no class at all, so
 * poisoned samples are released as credible early on. This processor keeps the newest {@code
 * retractionWindow} samples its task released ({@link FilterTopology#RELEASED_STORE}, persistent
 * and changelogged, each with the version that released it). When the registry holds a version
 * newer than the one the store was last re-judged by, it re-judges the samples released by older
 * versions, in chunks of {@code batchSize} scored in one forward pass each, emits a {@link
 * Retraction} for every sample the new version calls suspect, and deletes it from the store: a
 * sample is retracted at most once.
 *
 * <p>The re-judge runs in the wall-clock punctuation and spends at most {@link
 * MicroBatcher#FLUSH_BUDGET_NANOS} per call, with its cursor in {@link
 * FilterTopology#RETRACTION_PROGRESS_STORE}: re-judging 20,000 samples is many short exactly-once
 * transactions, not one that outlives the transaction timeout, and verdicts keep flowing between
 * them. The retractions, the deletes and the cursor commit together, so a restart neither loses nor
 * repeats one. A still newer version arriving mid-way restarts the cursor with it.
 *
 * <p>Conservation is untouched: every sample still gets exactly one verdict; a retraction is a
 * later signal about a sample already on credible.
 */
final class Retractor implements Processor<byte[], Verdict, byte[], Retraction> {

  private static final Logger log = LoggerFactory.getLogger(Retractor.class);

  /** The version whose re-judge is running or done (0: none yet). */
  static final String TARGET_VERSION = "target-version";
  /** Next released-store key the running re-judge looks at. */
  static final String CURSOR = "cursor";
  /** 1 once the re-judge for the target version has reached the end of the store. */
  static final String DONE = "done";
  /** Released samples the running re-judge has scored so far. */
  static final String EXAMINED = "examined";
  /** Prefix of the per-class retraction counts of the running re-judge: {@code retracted.<class>}. */
  static final String RETRACTED_PREFIX = "retracted.";

  private final FilterConfig config;
  private final VictimRegistry victims;
  private final FilterMetrics metrics;
  private final BufferedSampleCodec codec = new BufferedSampleCodec();

  private ProcessorContext<byte[], Retraction> context;
  private KeyValueStore<Long, byte[]> released;
  private KeyValueStore<String, Long> progress;
  private long nextSequence;
  /** No live key is below this (see MicroBatcher#headSequence: RocksDB steps over tombstones). */
  private long headSequence;
  private long count;

  Retractor(FilterConfig config, VictimRegistry victims, FilterMetrics metrics) {
    this.config = config;
    this.victims = victims;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], Retraction> context) {
    this.context = context;
    this.released = context.getStateStore(FilterTopology.RELEASED_STORE);
    this.progress = context.getStateStore(FilterTopology.RETRACTION_PROGRESS_STORE);
    StoredSequences restored = StoredSequences.of(released);
    headSequence = restored.head();
    nextSequence = restored.next();
    count = restored.count();
    if (count > 0) {
      log.info("task {}: {} released samples restored for re-judging, last re-judged by Victim v{}{}",
          context.taskId(), count, get(TARGET_VERSION), get(DONE) == 1 ? "" : " (unfinished, continuing)");
    }
    context.schedule(config.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  /** A credible verdict was forwarded: keep its sample, evicting the oldest beyond the window. */
  @Override
  public void process(Record<byte[], Verdict> record) {
    Verdict verdict = record.value();
    if (verdict.getDecision() != Decision.CREDIBLE) {
      return;
    }
    BufferedSample sample = new BufferedSample(record.key(), record.headers(), record.timestamp(),
        context.currentSystemTimeMs(), verdict.getSample());
    released.put(nextSequence++, encode(verdict.getVictimVersion(), sample));
    count++;
    if (count > config.retractionWindow()) {
      List<Long> oldest = new ArrayList<>();
      try (KeyValueIterator<Long, byte[]> it = released.range(headSequence, Long.MAX_VALUE)) {
        while (it.hasNext() && count - oldest.size() > config.retractionWindow()) {
          oldest.add(it.next().key);
        }
      }
      for (Long key : oldest) {
        released.delete(key);
      }
      count -= oldest.size();
      if (!oldest.isEmpty()) {
        headSequence = oldest.get(oldest.size() - 1) + 1;
      }
    }
  }

  private void punctuate(long now) {
    Optional<VictimLease> maybeLease = victims.acquire();
    if (maybeLease.isEmpty()) {
      return;
    }
    try (VictimLease lease = maybeLease.get()) {
      Victim victim = lease.victim();
      long target = get(TARGET_VERSION);
      if (victim.version() > target) {
        begin(victim.version());
      } else if (victim.version() < target || get(DONE) == 1) {
        // Done; or a restart installed an older version than the store was re-judged by: wait for the newest.
        return;
      }
      long deadline = System.nanoTime() + MicroBatcher.FLUSH_BUDGET_NANOS;
      while (System.nanoTime() < deadline) {
        if (!rejudgeChunk(victim, now)) {
          return;
        }
      }
    }
  }

  /** Starts (or restarts, when a still newer version came mid-way) a re-judge by {@code version}. */
  private void begin(long version) {
    try (KeyValueIterator<String, Long> all = progress.all()) {
      List<String> keys = new ArrayList<>();
      all.forEachRemaining(kv -> keys.add(kv.key));
      keys.forEach(progress::delete);
    }
    progress.put(TARGET_VERSION, version);
    progress.put(CURSOR, headSequence);
    progress.put(DONE, 0L);
  }

  /**
   * Scores the next chunk of samples released by versions older than the target, retracting what
   * {@code victim} calls suspect.
   *
   * @return whether to go on: false when the re-judge is done, or scoring failed (retried at the
   *     next punctuation)
   */
  private boolean rejudgeChunk(Victim victim, long now) {
    long target = get(TARGET_VERSION);
    List<Long> keys = new ArrayList<>();
    List<ReleasedSample> chunk = new ArrayList<>();
    long cursor = Math.max(get(CURSOR), headSequence);
    try (KeyValueIterator<Long, byte[]> it = released.range(cursor, Long.MAX_VALUE)) {
      while (it.hasNext() && keys.size() < config.batchSize()) {
        KeyValue<Long, byte[]> entry = it.next();
        cursor = entry.key + 1;
        if (releasedBy(entry.value) < target) {
          keys.add(entry.key);
          chunk.add(decode(entry.value));
        }
      }
      if (chunk.isEmpty() && !it.hasNext()) {
        finish(victim);
        return false;
      }
    }
    List<Verdict> verdicts;
    try {
      verdicts = QuarantineRouter.verdicts(victim, chunk.stream().map(r -> r.sample().sample()).toList(),
          Instant.ofEpochMilli(now));
    } catch (RuntimeException e) {
      log.warn("task {}: Victim {} v{} failed to re-judge {} released samples; retried at the next punctuation",
          context.taskId(), victim.modelId(), victim.version(), chunk.size(), e);
      return false;
    }
    for (int i = 0; i < chunk.size(); i++) {
      Verdict verdict = verdicts.get(i);
      if (verdict.getDecision() != Decision.QUARANTINE) {
        continue;
      }
      ReleasedSample r = chunk.get(i);
      LabeledSample sample = r.sample().sample();
      Retraction retraction = Retraction.newBuilder()
          .setSampleId(sample.getId())
          .setLabel(sample.getLabel())
          .setReleasedByVersion(r.releasedBy())
          .setVictimModelId(victim.modelId())
          .setVictimVersion(victim.version())
          .setEntropy(verdict.getEntropy())
          .setScore(verdict.getScore())
          .setThreshold(verdict.getThreshold())
          .setReason("released by v" + r.releasedBy() + ", now suspect: " + verdict.getReason())
          .setRetractedAt(Instant.ofEpochMilli(now))
          .build();
      context.forward(new Record<>(r.sample().key(), retraction, now, r.sample().headers()),
          FilterTopology.RETRACTIONS_SINK);
      released.delete(keys.get(i));
      count--;
      progress.put(RETRACTED_PREFIX + sample.getLabel(), get(RETRACTED_PREFIX + sample.getLabel()) + 1);
      metrics.retracted(sample.getLabel());
    }
    progress.put(EXAMINED, get(EXAMINED) + chunk.size());
    progress.put(CURSOR, cursor);
    return true;
  }

  private void finish(Victim victim) {
    progress.put(DONE, 1L);
    long examined = get(EXAMINED);
    Map<Integer, Long> byClass = new TreeMap<>();
    try (KeyValueIterator<String, Long> it = progress.prefixScan(RETRACTED_PREFIX,
        new StringSerializer())) {
      it.forEachRemaining(kv -> byClass.put(Integer.parseInt(kv.key.substring(RETRACTED_PREFIX.length())), kv.value));
    }
    long retracted = byClass.values().stream().mapToLong(Long::longValue).sum();
    metrics.rejudged(context.taskId().toString(), victim.version(), examined, retracted);
    if (examined == 0) {
      log.debug("task {}: Victim {} v{} had no released samples of older versions to re-judge",
          context.taskId(), victim.modelId(), victim.version());
      return;
    }
    log.info("task {}: Victim {} v{} re-judged {} released samples: {} retracted{}", context.taskId(),
        victim.modelId(), victim.version(), String.format("%,d", examined), String.format("%,d", retracted),
        byClass.isEmpty() ? "" : byClass.entrySet().stream()
            .map(e -> "class " + e.getKey() + ": " + String.format("%,d", e.getValue()))
            .collect(Collectors.joining(", ", " (", ")")));
  }

  private long get(String key) {
    Long value = progress.get(key);
    return value == null ? 0 : value;
  }

  /** A released sample and the Victim version whose credible verdict released it. */
  record ReleasedSample(long releasedBy, BufferedSample sample) {}

  /** The version (8 bytes, big-endian), then the sample in {@link BufferedSampleCodec}'s layout. */
  byte[] encode(long releasedBy, BufferedSample sample) {
    byte[] body = codec.encode(sample);
    return ByteBuffer.allocate(Long.BYTES + body.length).putLong(releasedBy).put(body).array();
  }

  ReleasedSample decode(byte[] bytes) {
    byte[] body = new byte[bytes.length - Long.BYTES];
    System.arraycopy(bytes, Long.BYTES, body, 0, body.length);
    return new ReleasedSample(releasedBy(bytes), codec.decode(body));
  }

  private static long releasedBy(byte[] bytes) {
    if (bytes.length < Long.BYTES) {
      throw new IllegalStateException("corrupt released-sample entry: " + bytes.length + " bytes, expected at least "
          + Long.BYTES);
    }
    return ByteBuffer.wrap(bytes).getLong(0);
  }
}

package dev.sieve.ui;

import dev.sieve.schemas.AuditAction;
import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.header.Header;

/**
 * What the quarantine view knows, in memory: the newest {@code capacity} quarantined verdicts
 * with where they live on the topic, the filter's verdict counts per claimed class over both
 * verdict topics, and the latest person's action per sample from the audit topic.
 *
 * <p>Bounded by arrival order: when full, the verdict that arrived first is dropped. Reading a
 * topic from the beginning interleaves its partitions, so that is the oldest only roughly; the
 * counts are kept for every verdict ever read. Thread-safe: one follower thread writes, HTTP
 * threads read.
 */
public final class QuarantineIndex {

  public static final int DEFAULT_CAPACITY = 10_000;

  /** One quarantined verdict, where it was read ({@code topic-partition@offset}) and its headers. */
  public record Entry(Verdict verdict, String source, List<Header> headers, long arrival) {
    public String id() {
      return verdict.getSample().getId();
    }

    public int label() {
      return verdict.getSample().getLabel();
    }

    public long scoredAt() {
      return verdict.getScoredAt().toEpochMilli();
    }
  }

  /**
   * A filter: {@code classLabel} null for every class; {@code fromMillis}/{@code toMillis}
   * (inclusive, on {@code scoredAt}) null for open; at most {@code limit} entries, newest first.
   */
  public record Query(Integer classLabel, Long fromMillis, Long toMillis, int limit) {
    public Query {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be >= 1, got " + limit);
      }
    }

    public static Query all(int limit) {
      return new Query(null, null, null, limit);
    }

    boolean matches(Entry e) {
      return (classLabel == null || e.label() == classLabel)
          && (fromMillis == null || e.scoredAt() >= fromMillis)
          && (toMillis == null || e.scoredAt() <= toMillis);
    }
  }

  /** The matching entries (newest first, at most the limit) and how many matched in all. */
  public record Page(List<Entry> entries, int matched) {}

  /**
   * The filter's decisions for one claimed class: {@code rate} is quarantined / (quarantined +
   * credible), 0 with no verdicts. {@code released} counts samples a person sent to credible
   * (RELEASE or RELABEL); those are not in {@code credible}, which is the filter's own count.
   */
  public record ClassRate(int classLabel, long quarantined, long credible, long released, double rate) {}

  private static final Comparator<Entry> NEWEST_FIRST =
      Comparator.comparingLong(Entry::scoredAt).thenComparingLong(Entry::arrival).reversed();

  private final int capacity;
  private final LinkedHashMap<String, Entry> quarantined;
  private final Map<String, AuditRecord> actions = new HashMap<>();
  private final TreeMap<Integer, long[]> counts = new TreeMap<>();
  private long arrivals;

  public QuarantineIndex(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("index capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.quarantined = new LinkedHashMap<>(Math.min(capacity, 1 << 14), 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > QuarantineIndex.this.capacity;
      }
    };
  }

  public int capacity() {
    return capacity;
  }

  /** A verdict read from the quarantine topic. */
  public synchronized void addQuarantined(Verdict verdict, String source, List<Header> headers) {
    count(verdict.getSample().getLabel())[0]++;
    String id = verdict.getSample().getId();
    // A re-read id moves to the end, as if it had just arrived.
    quarantined.remove(id);
    quarantined.put(id, new Entry(verdict, source, List.copyOf(headers), arrivals++));
  }

  /** A verdict the filter put on the credible topic (not one a person released: see {@link #countReleased}). */
  public synchronized void countCredible(int classLabel) {
    count(classLabel)[1]++;
  }

  /**
   * An action from the audit topic, or one this server just committed. A RELEASE or RELABEL is
   * final (the sample is on the credible topic for good), so nothing replaces it; otherwise the
   * later action wins. Applying the same record twice changes nothing.
   */
  public synchronized void applyAudit(AuditRecord record) {
    AuditRecord previous = actions.get(record.getSampleId());
    if (previous != null && (isFinal(previous) || previous.getAt().isAfter(record.getAt()))) {
      return;
    }
    actions.put(record.getSampleId(), record);
  }

  /** Whether the action put the sample on the credible topic. */
  public static boolean isFinal(AuditRecord record) {
    return record.getAction() == AuditAction.RELEASE || record.getAction() == AuditAction.RELABEL;
  }

  public synchronized Optional<Entry> get(String id) {
    return Optional.ofNullable(quarantined.get(id));
  }

  public synchronized Optional<AuditRecord> action(String id) {
    return Optional.ofNullable(actions.get(id));
  }

  public synchronized Page query(Query query) {
    List<Entry> matching = new ArrayList<>();
    for (Entry e : quarantined.values()) {
      if (query.matches(e)) {
        matching.add(e);
      }
    }
    matching.sort(NEWEST_FIRST);
    return new Page(List.copyOf(matching.subList(0, Math.min(query.limit(), matching.size()))), matching.size());
  }

  /** Per claimed class, in class order; classes below {@code numClasses} appear even with no verdicts. */
  public synchronized List<ClassRate> rates(int numClasses) {
    Map<Integer, Long> released = new HashMap<>();
    for (AuditRecord r : actions.values()) {
      if (isFinal(r)) {
        released.merge(r.getPreviousLabel(), 1L, Long::sum);
      }
    }
    TreeMap<Integer, long[]> all = new TreeMap<>();
    for (int c = 0; c < numClasses; c++) {
      all.put(c, new long[2]);
    }
    counts.forEach((c, n) -> all.put(c, n.clone()));
    released.keySet().forEach(c -> all.putIfAbsent(c, new long[2]));
    List<ClassRate> out = new ArrayList<>();
    all.forEach((c, n) -> {
      long total = n[0] + n[1];
      out.add(new ClassRate(c, n[0], n[1], released.getOrDefault(c, 0L), total == 0 ? 0.0 : (double) n[0] / total));
    });
    return out;
  }

  public synchronized int size() {
    return quarantined.size();
  }

  private long[] count(int classLabel) {
    return counts.computeIfAbsent(classLabel, c -> new long[2]);
  }
}

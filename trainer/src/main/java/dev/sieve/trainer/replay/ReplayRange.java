package dev.sieve.trainer.replay;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Which part of the samples topic a replay reads: a start and an end, each a time or offsets,
 * either one open. A time is resolved per partition with Kafka's offsets-for-times (the first
 * record whose timestamp is at or after it), so {@code --from} is inclusive and {@code --to}
 * exclusive. Offsets are either one number for every partition or {@code P:OFFSET} pairs; pairs
 * also choose the partitions, so {@code --from-offset 3:100 --to-offset 3:200} reads partition 3
 * only. An open start is the beginning of each partition, an open end the end offsets captured
 * when the replay starts, so a stream that keeps growing does not make a replay endless.
 *
 * <p>Parsing checks everything that can be checked without the cluster (formats, negative
 * offsets, a start after its end); {@link #resolve} turns the range into one offset span per
 * partition, clamped to what the partition still holds.
 */
public record ReplayRange(Bound from, Bound to) {

  /** One end of the range. */
  public sealed interface Bound permits Open, AtTime, AtOffsets {}

  /** No bound given: the beginning or the end captured at start. */
  public record Open() implements Bound {}

  /** A time, resolved per partition with offsets-for-times. */
  public record AtTime(Instant time) implements Bound {}

  /**
   * Offsets: {@code all} for every partition, or one per named partition.
   *
   * @param perPartition partition to offset; empty when {@code all} is set
   */
  public record AtOffsets(OptionalLong all, SortedMap<Integer, Long> perPartition) implements Bound {
    public AtOffsets {
      perPartition = Collections.unmodifiableSortedMap(new TreeMap<>(perPartition));
    }

    OptionalLong forPartition(int partition) {
      if (all.isPresent()) {
        return all;
      }
      Long offset = perPartition.get(partition);
      return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }
  }

  /** The offsets {@code [from, to)} of one partition that a replay reads; empty when from == to. */
  public record Span(int partition, long from, long to) {
    public long size() {
      return to - from;
    }
  }

  /** Where each partition stands at the start of a replay, and how times map to offsets there. */
  public interface PartitionOffsets {
    /** The partitions of the samples topic, ascending. */
    List<Integer> partitions();

    /** The first offset each partition still holds (log start). */
    Map<Integer, Long> beginning();

    /** The end offset of each partition now (for read_committed, the last stable offset). */
    Map<Integer, Long> end();

    /** Per partition, the first offset whose record timestamp is at or after {@code time}; absent when none is. */
    Map<Integer, Long> firstAtOrAfter(Instant time);
  }

  public ReplayRange {
    if (from == null || to == null) {
      throw new IllegalArgumentException("a replay range needs both bounds (use Open for none), got " + from + " and " + to);
    }
    if (from instanceof AtTime f && to instanceof AtTime t && f.time().isAfter(t.time())) {
      throw new IllegalArgumentException("--from " + f.time() + " is after --to " + t.time()
          + "; expected a start at or before the end");
    }
    if (from instanceof AtOffsets f && to instanceof AtOffsets t) {
      checkOffsetOrder(f, t);
    }
  }

  /** The whole topic as it stands at the start of the replay. */
  public static ReplayRange everything() {
    return new ReplayRange(new Open(), new Open());
  }

  /**
   * Parses the command's options; each argument may be null (not given).
   *
   * @throws IllegalArgumentException naming the option, what it got and what it expects
   */
  public static ReplayRange parse(String fromTime, String toTime, String fromOffset, String toOffset) {
    if (fromTime != null && fromOffset != null) {
      throw new IllegalArgumentException("both --from and --from-offset are given; expected one start, a time or offsets");
    }
    if (toTime != null && toOffset != null) {
      throw new IllegalArgumentException("both --to and --to-offset are given; expected one end, a time or offsets");
    }
    Bound from = fromTime != null ? new AtTime(parseTime("--from", fromTime))
        : fromOffset != null ? parseOffsets("--from-offset", fromOffset) : new Open();
    Bound to = toTime != null ? new AtTime(parseTime("--to", toTime))
        : toOffset != null ? parseOffsets("--to-offset", toOffset) : new Open();
    return new ReplayRange(from, to);
  }

  /**
   * An ISO-8601 instant ({@code 2024-05-01T12:00:00Z}), a date-time with an offset
   * ({@code 2024-05-01T14:00:00+02:00}) or a date ({@code 2024-05-01}, midnight UTC). A local
   * date-time without a zone is refused: which zone it means would be a guess.
   */
  static Instant parseTime(String option, String text) {
    String value = text.trim();
    try {
      return Instant.parse(value);
    } catch (DateTimeException ignored) {
      // try the other accepted forms
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeException ignored) {
      // try the other accepted forms
    }
    try {
      return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeException ignored) {
      // fall through to the error
    }
    throw new IllegalArgumentException(option + " '" + text + "' is not an ISO-8601 time; expected e.g. "
        + "2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00 or 2024-05-01 (midnight UTC)");
  }

  /** {@code N} for every partition, or {@code P:N[,P:N...]}. */
  static AtOffsets parseOffsets(String option, String text) {
    String value = text.trim();
    String expected = "; expected an offset N for every partition, or P:N pairs such as 0:1200,3:40";
    if (value.isEmpty()) {
      throw new IllegalArgumentException(option + " is empty" + expected);
    }
    if (!value.contains(":")) {
      return new AtOffsets(OptionalLong.of(number(option, value, "offset", expected)), new TreeMap<>());
    }
    SortedMap<Integer, Long> pairs = new TreeMap<>();
    for (String part : value.split(",")) {
      String[] pp = part.trim().split(":", -1);
      if (pp.length != 2) {
        throw new IllegalArgumentException(option + " '" + text + "': '" + part.trim() + "' is not a P:N pair" + expected);
      }
      long partition = number(option, pp[0].trim(), "partition", expected);
      long offset = number(option, pp[1].trim(), "offset", expected);
      if (partition > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(option + " names partition " + partition + "; expected a partition number");
      }
      if (pairs.put((int) partition, offset) != null) {
        throw new IllegalArgumentException(option + " '" + text + "' names partition " + partition
            + " twice; expected one offset per partition");
      }
    }
    return new AtOffsets(OptionalLong.empty(), pairs);
  }

  private static long number(String option, String text, String what, String expected) {
    long n;
    try {
      n = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": " + what + " '" + text + "' is not a number" + expected);
    }
    if (n < 0) {
      throw new IllegalArgumentException(option + ": " + what + " " + n + " is negative" + expected);
    }
    return n;
  }

  private static void checkOffsetOrder(AtOffsets from, AtOffsets to) {
    TreeSet<Integer> named = new TreeSet<>(from.perPartition().keySet());
    named.addAll(to.perPartition().keySet());
    if (from.all().isPresent() && to.all().isPresent() && from.all().getAsLong() > to.all().getAsLong()) {
      throw new IllegalArgumentException("--from-offset " + from.all().getAsLong() + " is after --to-offset "
          + to.all().getAsLong() + "; expected a start at or before the end");
    }
    for (int p : named) {
      OptionalLong f = from.forPartition(p);
      OptionalLong t = to.forPartition(p);
      if (f.isPresent() && t.isPresent() && f.getAsLong() > t.getAsLong()) {
        throw new IllegalArgumentException("--from-offset " + f.getAsLong() + " is after --to-offset "
            + t.getAsLong() + " for partition " + p + "; expected a start at or before the end");
      }
    }
  }

  /**
   * The partitions P:N pairs name, in either bound; empty when the range applies to every partition.
   */
  public TreeSet<Integer> namedPartitions() {
    TreeSet<Integer> named = new TreeSet<>();
    if (from instanceof AtOffsets f) {
      named.addAll(f.perPartition().keySet());
    }
    if (to instanceof AtOffsets t) {
      named.addAll(t.perPartition().keySet());
    }
    return named;
  }

  /**
   * One span per partition to read, ascending by partition. Offsets are clamped to what each
   * partition holds: a start before the log start (deleted by retention) begins at the log
   * start, an end past the captured end stops there, and a start past the end reads nothing.
   *
   * @throws IllegalArgumentException when P:N pairs name a partition the topic does not have
   */
  public List<Span> resolve(String topic, PartitionOffsets offsets) {
    List<Integer> partitions = offsets.partitions();
    TreeSet<Integer> named = namedPartitions();
    for (int p : named) {
      if (!partitions.contains(p)) {
        throw new IllegalArgumentException("partition " + p + " of " + topic + " does not exist; it has "
            + partitions.size() + " partitions (" + describePartitions(partitions) + ")");
      }
    }
    List<Integer> chosen = named.isEmpty() ? partitions : new ArrayList<>(named);
    Map<Integer, Long> fromTimes = from instanceof AtTime f ? offsets.firstAtOrAfter(f.time()) : Map.of();
    Map<Integer, Long> toTimes = to instanceof AtTime t ? offsets.firstAtOrAfter(t.time()) : Map.of();
    List<Span> spans = new ArrayList<>();
    for (int p : chosen) {
      long beginning = require(offsets.beginning(), p, "beginning", topic);
      long end = require(offsets.end(), p, "end", topic);
      long start = bound(from, p, beginning, end, fromTimes, beginning);
      long stop = bound(to, p, beginning, end, toTimes, end);
      start = Math.max(beginning, Math.min(start, end));
      stop = Math.max(start, Math.min(stop, end));
      spans.add(new Span(p, start, stop));
    }
    return spans;
  }

  /** This bound's offset in partition {@code p}; {@code open} when the bound says nothing about it. */
  private static long bound(Bound bound, int p, long beginning, long end, Map<Integer, Long> times, long open) {
    if (bound instanceof AtTime) {
      // No record at or after the time: the bound lies past everything the partition holds.
      return times.getOrDefault(p, end);
    }
    if (bound instanceof AtOffsets o) {
      return o.forPartition(p).orElse(open);
    }
    return open;
  }

  private static long require(Map<Integer, Long> offsets, int p, String which, String topic) {
    Long offset = offsets.get(p);
    if (offset == null) {
      throw new IllegalStateException("no " + which + " offset for partition " + p + " of " + topic);
    }
    return offset;
  }

  private static String describePartitions(List<Integer> partitions) {
    if (partitions.isEmpty()) {
      return "none";
    }
    return partitions.get(0) + "-" + partitions.get(partitions.size() - 1);
  }

  /** How the range was asked for, e.g. {@code 2024-05-01T00:00:00Z .. 2024-05-02T00:00:00Z}. */
  public String describe() {
    return describe(from, "beginning") + " .. " + describe(to, "end at start");
  }

  private static String describe(Bound bound, String open) {
    if (bound instanceof AtTime t) {
      return t.time().toString();
    }
    if (bound instanceof AtOffsets o) {
      if (o.all().isPresent()) {
        return "offset " + o.all().getAsLong();
      }
      return "offsets " + String.join(",", o.perPartition().entrySet().stream()
          .map(e -> e.getKey() + ":" + e.getValue()).toList());
    }
    return open;
  }

  /** The spans as {@code p0 [120, 4521) p1 [0, 3990)}. */
  public static String describe(List<Span> spans) {
    StringBuilder out = new StringBuilder();
    for (Span s : spans) {
      out.append(out.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "p%d [%d, %d)", s.partition(), s.from(),
          s.to()));
    }
    return out.toString();
  }

  /** Total offsets the spans cover: the progress bar's total. */
  public static long total(List<Span> spans) {
    long total = 0;
    for (Span s : spans) {
      total += s.size();
    }
    return total;
  }

  /** For tests and callers that already have the offsets in maps. */
  public static PartitionOffsets offsets(List<Integer> partitions, Map<Integer, Long> beginning, Map<Integer, Long> end,
      Function<Instant, Map<Integer, Long>> firstAtOrAfter) {
    return new PartitionOffsets() {
      @Override
      public List<Integer> partitions() {
        return partitions;
      }

      @Override
      public Map<Integer, Long> beginning() {
        return beginning;
      }

      @Override
      public Map<Integer, Long> end() {
        return end;
      }

      @Override
      public Map<Integer, Long> firstAtOrAfter(Instant time) {
        return firstAtOrAfter.apply(time);
      }
    };
  }
}

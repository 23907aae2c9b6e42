package dev.sieve.stream.fuzz;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The heap rule of the fuzz tests. A forged Avro length makes the decoder allocate up to 2 GB; in
 * the build's usual 6 GB test heap that allocation succeeds and the bug goes unseen, so the fuzz
 * tests run only in a small heap (the {@code fuzz-*} surefire executions give them 256 MB), where
 * it is an {@link OutOfMemoryError} and so a finding.
 */
public final class FuzzHeap {

  /** Fuzz tests skip themselves in a heap larger than this. */
  public static final long MAX_HEAP_BYTES = 512L * 1024 * 1024;

  private FuzzHeap() {}

  /** Skips the calling fuzz test unless the JVM's heap is at most {@link #MAX_HEAP_BYTES}. */
  public static void requireSmallHeap() {
    long max = Runtime.getRuntime().maxMemory();
    assumeTrue(max <= MAX_HEAP_BYTES, () -> "fuzz tests need a heap of at most " + (MAX_HEAP_BYTES >> 20)
        + " MB so that a forged Avro length shows up as an OutOfMemoryError, but this JVM has "
        + (max >> 20) + " MB: run them through the fuzz-* surefire executions of stream-app");
  }

  /**
   * Numbers to forge into Avro lengths, counts and ints: around the JVM's array limit (Avro refuses
   * more than Integer.MAX_VALUE - 8 itself), above the 256 MB heap, and the usual edges.
   */
  public static Long[] forgedLengths() {
    return new Long[] {0L, -1L, 1L, 127L, 128L, 1L << 20, 1L << 28, 0x7FFF_FFF0L,
        (long) Integer.MAX_VALUE - 8, (long) Integer.MAX_VALUE, 1L << 31, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE};
  }
}

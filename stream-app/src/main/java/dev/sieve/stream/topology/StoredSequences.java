package dev.sieve.stream.topology;

import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What a store keyed by increasing sequence numbers holds after a restart (restored from its
 * changelog): the micro-batch buffer and the released samples both continue numbering after their
 * last key, and read from their first live one.
 *
 * @param head the first live key (0 when empty): no live key is below it
 * @param next the key the next entry gets: one after the last (0 when empty)
 * @param count how many entries the store holds
 */
record StoredSequences(long head, long next, long count) {

  static StoredSequences of(KeyValueStore<Long, ?> store) {
    long count = 0;
    Long first = null;
    long last = -1;
    try (KeyValueIterator<Long, ?> all = store.all()) {
      while (all.hasNext()) {
        long key = all.next().key;
        if (first == null) {
          first = key;
        }
        last = key;
        count++;
      }
    }
    return new StoredSequences(first == null ? 0 : first, last + 1, count);
  }
}

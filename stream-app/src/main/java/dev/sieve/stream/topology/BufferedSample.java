package dev.sieve.stream.topology;

import dev.sieve.schemas.LabeledSample;
import org.apache.kafka.common.header.Headers;

/**
 * A validated sample waiting in the batcher's store, with everything needed to emit its verdict
 * as if it had never waited: the original key, headers (the ground-truth header among them must
 * reach the outputs untouched) and record timestamp.
 *
 * @param key the original record key bytes
 * @param headers the original record headers
 * @param timestamp the original record timestamp, reused for the verdict record
 * @param bufferedAtMs wall-clock millis at which the sample entered the buffer (drives maxBatchWait)
 * @param sample the decoded, validated sample
 */
public record BufferedSample(byte[] key, Headers headers, long timestamp, long bufferedAtMs, LabeledSample sample) {}

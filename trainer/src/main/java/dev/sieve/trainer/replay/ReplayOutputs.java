package dev.sieve.trainer.replay;

import dev.sieve.schemas.DeadLetter;
import dev.sieve.schemas.Verdict;
import dev.sieve.stream.topology.QuarantineRouter;
import dev.sieve.stream.topology.Validation;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay's credible, quarantine and dead-letter outputs, written by one transactional producer,
 * one Kafka transaction per batch. Verdicts are routed by {@link QuarantineRouter}, as the filter
 * routes them. Each output keeps the sample's key, timestamp and headers, plus {@link Headers#REPLAY}.
 */
final class ReplayOutputs implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayOutputs.class);

  /** A refused record and why. */
  record Refused(ConsumerRecord<byte[], byte[]> record, Validation.Invalid invalid) {}

  private final TopicNames topics;
  private final String into;
  private final QuarantineRouter router;
  private final AvroSerde<Verdict> verdicts = AvroSerde.verdict();
  private final AvroSerde<DeadLetter> deadLetters = AvroSerde.deadLetter();
  private final KafkaProducer<byte[], byte[]> producer;

  ReplayOutputs(ReplayConfig config, String runId) {
    topics = config.outputs();
    into = config.into();
    router = new QuarantineRouter(topics.quarantine(), topics.credible());
    producer = new KafkaProducer<>(producerConfig(config, runId), new ByteArraySerializer(), new ByteArraySerializer());
    try {
      // A constructor that throws leaves no object for try-with-resources to close.
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close();
      throw e;
    }
  }

  private static Map<String, Object> producerConfig(ReplayConfig config, String runId) {
    return KafkaClients.of(config.bootstrapServers(), config.clientOverrides())
        .require(ProducerConfig.CLIENT_ID_CONFIG, "sieve-replay-" + runId)
        .require(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sieve-replay-" + runId)
        .require(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .require(ProducerConfig.ACKS_CONFIG, "all")
        .require(ProducerConfig.LINGER_MS_CONFIG, 5)
        .build();
  }

  /**
   * Writes the refused records' dead letters and the verdicts in one transaction; {@code scored}
   * holds one verdict per record of {@code batch}, in order.
   *
   * @throws IllegalStateException when the transaction fails; it is aborted
   */
  void write(List<Refused> refused, List<ConsumerRecord<byte[], byte[]>> batch, List<Verdict> scored, Instant now) {
    try {
      producer.beginTransaction();
      for (Refused r : refused) {
        ConsumerRecord<byte[], byte[]> record = r.record();
        DeadLetter letter = r.invalid().deadLetter(record.key(), record.value(), record.topic(), record.partition(),
            record.offset(), now);
        producer.send(output(topics.deadLetter(), record, deadLetters.encode(letter)));
      }
      for (int i = 0; i < scored.size(); i++) {
        Verdict verdict = scored.get(i);
        producer.send(output(router.sinkFor(verdict.getDecision()), batch.get(i), verdicts.encode(verdict)));
      }
      producer.commitTransaction();
    } catch (KafkaException e) {
      abortQuietly();
      throw new IllegalStateException("cannot write replayed verdicts to " + topics.credible() + ", "
          + topics.quarantine() + " and " + topics.deadLetter() + ": " + e.getMessage(), e);
    }
  }

  /** The output record: the input's key, timestamp and headers, marked as replayed. */
  private ProducerRecord<byte[], byte[]> output(String topic, ConsumerRecord<byte[], byte[]> input, byte[] value) {
    RecordHeaders headers = new RecordHeaders(input.headers().toArray());
    headers.remove(Headers.REPLAY);
    headers.add(Headers.REPLAY, into.getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(topic, null, input.timestamp(), input.key(), value, headers);
  }

  private void abortQuietly() {
    try {
      producer.abortTransaction();
    } catch (RuntimeException e) {
      LOG.warn("aborting the replay's transaction failed too: {}", e.toString());
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}

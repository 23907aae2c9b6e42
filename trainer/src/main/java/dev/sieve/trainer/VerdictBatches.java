package dev.sieve.trainer;

import dev.sieve.model.Architecture;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.Retraction;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One run's input: {@link VerdictFlux} (one backpressured consumer of the credible, quarantine and
 * retractions topics) → decode each {@link Verdict} or {@link Retraction} (a record that cannot be
 * decoded or used is marked skipped; a malformed retraction is refused) → {@code bufferTimeout(batchSize, maxBatchWait)} → the training thread, handed
 * one batch at a time ({@code publishOn} with prefetch 1), so a slow step stops the demand that
 * reaches the consumer, and the consumer pauses its partitions instead of filling memory.
 */
final class VerdictBatches {

  private static final Logger LOG = LoggerFactory.getLogger(VerdictBatches.class);
  private static final Duration CONSUMER_STOP_TIMEOUT = Duration.ofSeconds(30);

  private final BeneficiaryConfig config;
  private final Architecture architecture;
  private final AvroSerde<Verdict> serde = AvroSerde.verdict();
  private final AvroSerde<Retraction> retractions = AvroSerde.retraction();
  private final VerdictFlux flux;

  /**
   * @param positions next offset to read per partition, from the last checkpoint
   * @param architecture what a sample's image must fit to be trained on
   */
  VerdictBatches(BeneficiaryConfig config, Map<TopicPartition, Long> positions, Architecture architecture) {
    this.config = config;
    this.architecture = architecture;
    this.flux = new VerdictFlux(
        VerdictFlux.consumerConfig(config.bootstrapServers(), config.groupId(), config.maxPollRecords(),
            config.clientOverrides()),
        List.of(config.topics().credible(), config.topics().quarantine(), config.topics().retractions()), positions,
        config.highWaterMark());
  }

  /** The consumer, for its backpressure state. */
  VerdictFlux flux() {
    return flux;
  }

  /**
   * Hands each batch to {@code train} on {@code trainingThread} until {@code until} fires, then
   * waits for the consumer to close. Blocks the calling thread meanwhile.
   */
  void train(Mono<?> until, Scheduler trainingThread, Consumer<List<VerdictRecord>> train) {
    String quarantine = config.topics().quarantine();
    String retracted = config.topics().retractions();
    try {
      flux.flux()
          .takeUntilOther(until)
          .map(record -> record.topic().equals(retracted)
              ? VerdictRecord.decodeRetraction(record, retractions, architecture.numClasses())
              : VerdictRecord.decode(record, serde, architecture,
                  record.topic().equals(quarantine) ? Decision.QUARANTINE : Decision.CREDIBLE))
          .bufferTimeout(config.batchSize(), config.maxBatchWait(), true)
          .publishOn(trainingThread, 1)
          .doOnNext(train)
          .then()
          .block();
    } finally {
      awaitConsumerStopped();
    }
  }

  /**
   * Whether no record arrived for {@code idle} and none is waiting, counted from the first
   * partition assignment, and the training thread has {@code processed} every record emitted.
   */
  boolean idleFor(Duration idle, long processed) {
    return settled(processed) && flux.quietFor().compareTo(idle) >= 0;
  }

  /** Whether partitions are assigned, no record is waiting, and the training thread has {@code processed} every one emitted. */
  boolean settled(long processed) {
    return flux.assigned()
        && flux.buffered() == 0
        && flux.emitted() == processed;
  }

  private void awaitConsumerStopped() {
    try {
      if (!flux.awaitStopped(CONSUMER_STOP_TIMEOUT)) {
        LOG.warn("{}: consumer of {} did not close within {} s", config.modelId(), flux.topics(),
            CONSUMER_STOP_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

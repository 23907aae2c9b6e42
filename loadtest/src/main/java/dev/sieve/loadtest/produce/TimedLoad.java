package dev.sieve.loadtest.produce;

import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Sends samples at a fixed rate for a fixed time, for load tests: unlike {@link SampleProducer},
 * which sends each training image once, it cycles over the data set for as long as it is told, and
 * gives every record a fresh id ({@code <runId>-<n>}), so the filter's duplicate check sees new
 * samples however long the run. Each record carries its send time in {@link Headers#PRODUCED_AT},
 * from which the end-to-end latency is measured.
 */
public final class TimedLoad implements AutoCloseable {

  /** What one {@link #run} sent: records and value bytes acknowledged, over how long. */
  public record Sent(long records, long bytes, double seconds) {
    public double recordsPerSecond() {
      return seconds > 0 ? records / seconds : Double.NaN;
    }
  }

  private final ProducerConfig config;
  private final PoisonedTrainingSet data;
  private final String runId;
  private final Producer<byte[], byte[]> producer;
  private final AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();
  private long next;

  /**
   * @param data the images to cycle over (with their poison plan)
   * @param runId prefix of every sample id; distinct per run so two runs never share an id
   */
  public TimedLoad(ProducerConfig config, PoisonedTrainingSet data, String runId) {
    this.config = config;
    this.data = data;
    this.runId = runId;
    this.producer = new KafkaProducer<>(new SampleProducer(config).kafkaProperties());
  }

  /** Sends at {@code recordsPerSecond} for {@code duration}, then waits for every acknowledgement. */
  public Sent run(double recordsPerSecond, Duration duration) throws InterruptedException {
    if (!(recordsPerSecond > 0)) {
      throw new IllegalArgumentException("rate is " + recordsPerSecond + " records/s, expected > 0");
    }
    String topic = config.topics().samples();
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicLong acked = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long interval = Math.max(1, Math.round(1e9 / recordsPerSecond));
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long nextSend = start;
    while (System.nanoTime() < end) {
      nextSend = SampleProducer.pace(nextSend, interval);
      Exception e = failure.get();
      if (e != null) {
        throw new KafkaException("load producer failed: " + e.getMessage(), e);
      }
      int index = (int) (next % data.size());
      LabeledSample original = data.sample(index);
      String id = runId + "-" + next++;
      LabeledSample sample = LabeledSample.newBuilder(original).setId(id).build();
      byte[] value = serde.encode(sample);
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), value);
      record.headers().add(Headers.GROUND_TRUTH,
          (data.isPoisoned(index) ? Headers.TRUTH_POISONED : Headers.TRUTH_CLEAN).getBytes(StandardCharsets.UTF_8));
      record.headers().add(Headers.PRODUCED_AT, Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        } else {
          acked.incrementAndGet();
          bytes.addAndGet(value.length);
        }
      });
    }
    producer.flush();
    if (failure.get() != null) {
      throw new KafkaException("load producer failed: " + failure.get().getMessage(), failure.get());
    }
    return new Sent(acked.get(), bytes.get(), (System.nanoTime() - start) / 1e9);
  }

  /** Records sent so far over all runs. */
  public long sent() {
    return next;
  }

  @Override
  public void close() {
    producer.close();
  }
}

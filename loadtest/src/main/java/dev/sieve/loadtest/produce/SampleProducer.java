package dev.sieve.loadtest.produce;

import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.data.ImageFolder;
import dev.sieve.model.Permutations;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Streams Fashion-MNIST training samples (all, or a range) to the samples topic as a data source
 * would, with a planned fraction poisoned by the configured attack or zoo draw (trigger applied;
 * for dirty-label attacks the label flipped to the target class).
 *
 * <p>Ground truth travels only in the {@link Headers#GROUND_TRUTH} header, never in the value:
 * the filter decodes the value and so cannot cheat, while the evaluator reads the header that
 * Kafka Streams carries over to the outputs.
 */
public final class SampleProducer {

  public static final String SOURCE = PoisonedTrainingSet.SOURCE;
  /** How often, in records, the progress callback hears about the count sent so far. */
  static final int PROGRESS_EVERY = 1000;
  /** After a stall the pacer allows at most this much catch-up burst instead of the whole backlog. */
  private static final long MAX_BACKLOG_NANOS = 1_000_000_000L;
  /** Sleeping for less than this costs more than it paces; the schedule absorbs the difference. */
  private static final long MIN_SLEEP_NANOS = 200_000L;

  private final ProducerConfig config;
  private final AvroSerde<LabeledSample> serde = AvroSerde.labeledSample();

  public SampleProducer(ProducerConfig config) {
    this.config = config;
  }

  /** The sample id of training image {@code index}, e.g. {@code fmnist-train-000123}. */
  public static String sampleId(int index) {
    return PoisonedTrainingSet.sampleId(index);
  }

  /** Sends the configured samples of {@code train}; {@code progress} gets the count sent so far. */
  public ProduceReport produce(FashionMnist.Split train, LongConsumer progress) throws InterruptedException {
    return produceRange(train, 0, Integer.MAX_VALUE, progress);
  }

  /**
   * Sends positions {@code from} (inclusive) to {@code to} (exclusive, capped at the configured
   * count) of the configured stream: the same samples, order and poison as {@link #produce} sends
   * there, so that a test can send one stream in parts, each after an event of its choosing.
   */
  public ProduceReport produceRange(FashionMnist.Split train, int from, int to, LongConsumer progress)
      throws InterruptedException {
    try (Producer<byte[], byte[]> producer = new KafkaProducer<>(kafkaProperties())) {
      return produce(train, producer, from, to, progress);
    }
  }

  Properties kafkaProperties() {
    // Large batches and one request in flight: throughput comes from batching, and a retried
    // batch can never land behind a later one of the same producer.
    Properties p = new Properties();
    p.putAll(KafkaClients.of(config.bootstrapServers(), config.clientOverrides())
        .byDefault(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all")
        .byDefault(org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .byDefault(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, "5")
        .byDefault(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024))
        .byDefault(org.apache.kafka.clients.producer.ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1")
        .byDefault(org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression())
        .clientId("sieve-load-producer")
        .byDefault(org.apache.kafka.clients.producer.ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .byDefault(org.apache.kafka.clients.producer.ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .build());
    return p;
  }

  /** As {@link #produceRange} through a given producer, which stays open. */
  ProduceReport produce(FashionMnist.Split train, Producer<byte[], byte[]> producer, int from, int to,
      LongConsumer progress) throws InterruptedException {
    int n = config.count(train.size());
    int end = Math.min(to, n);
    if (from < 0 || from > end) {
      throw new IllegalArgumentException("positions " + from + ".." + to + " are not within the stream of " + n);
    }
    PoisonedTrainingSet data = config.trainingSet(train);
    int[] order = sendOrder(n);
    PacedSends sends = new PacedSends(producer, config.topics().samples());
    long poisoned = 0;

    for (int sent = from; sent < end; sent++) {
      int position = order[sent];
      boolean poison = data.isPoisoned(position);
      sends.send(() -> data.sample(position), poison ? Headers.TRUTH_POISONED : Headers.TRUTH_CLEAN);
      if (poison) {
        poisoned++;
      }
      if ((sent + 1 - from) % PROGRESS_EVERY == 0) {
        progress.accept(sent + 1 - from);
      }
    }
    sends.finish();
    progress.accept(end - from);
    double seconds = sends.seconds();
    return new ProduceReport(sends.acked(), poisoned, seconds, seconds > 0 ? sends.acked() / seconds : Double.NaN);
  }

  /**
   * Sends a user's image folder, in its sorted order, paced like the training set: each image as
   * it is (no attack: the data is the user's own, and whatever poison it carries is the filter's
   * job), with no ground-truth header, since nobody knows it. A file that cannot be decoded is not
   * sent; {@code refused} hears its reason, and the report counts it.
   */
  public ImageFolderReport produceImages(ImageFolder folder, LongConsumer progress, Consumer<String> refused)
      throws InterruptedException {
    long undecodable = 0;
    PacedSends sends;
    try (Producer<byte[], byte[]> producer = new KafkaProducer<>(kafkaProperties())) {
      sends = new PacedSends(producer, config.topics().samples());
      for (int i = 0; i < folder.size(); i++) {
        ImageFolder.Item item = folder.read(i);
        if (item.sample() == null) {
          undecodable++;
          refused.accept(item.refusal());
          continue;
        }
        sends.send(item::sample, null);
        if ((i + 1) % PROGRESS_EVERY == 0) {
          progress.accept(i + 1);
        }
      }
      sends.finish();
    }
    progress.accept(folder.size());
    return new ImageFolderReport(sends.acked(), undecodable, folder.skipped(), sends.seconds());
  }

  /** What {@link #produceImages} did: images sent, files it could not decode, non-image files it skipped. */
  public record ImageFolderReport(long sent, long undecodable, long skipped, double seconds) {
    public String summaryLine() {
      return String.format(Locale.ROOT, "sent %d images in %.1f s; %d files could not be decoded and were not sent; "
          + "%d non-image files skipped", sent, seconds, undecodable, skipped);
    }
  }

  /**
   * One run's sends through one producer, paced at the configured rate: each record carries its
   * send time (and the ground truth, when known), the first failed send fails the next one and
   * {@link #finish}, and acknowledged sends are counted for the report.
   */
  private final class PacedSends {
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final long intervalNanos = config.recordsPerSecond() > 0 ? Math.round(1e9 / config.recordsPerSecond()) : 0;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong acked = new AtomicLong();
    private final long start = System.nanoTime();
    private long nextSend = start;

    PacedSends(Producer<byte[], byte[]> producer, String topic) {
      this.producer = producer;
      this.topic = topic;
    }

    /**
     * Waits for the next slot, then sends; the sample is built only then, so its send time is
     * the slot's. {@code truth} is the ground-truth header's value, or null where nobody knows it.
     */
    void send(Supplier<LabeledSample> next, String truth) throws InterruptedException {
      if (intervalNanos > 0) {
        nextSend = pace(nextSend, intervalNanos);
      }
      throwIfFailed(failure);
      LabeledSample sample = next.get();
      String id = sample.getId();
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), serde.encode(sample));
      if (truth != null) {
        record.headers().add(Headers.GROUND_TRUTH, truth.getBytes(StandardCharsets.UTF_8));
      }
      record.headers().add(Headers.PRODUCED_AT,
          Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          failure.compareAndSet(null, new KafkaException("sending sample " + id + " to " + topic + " failed: " + error,
              error));
        } else {
          acked.incrementAndGet();
        }
      });
    }

    /** Flushes, and throws the first failed send's error. */
    void finish() {
      producer.flush();
      throwIfFailed(failure);
    }

    long acked() {
      return acked.get();
    }

    double seconds() {
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /** Data-set order, or a seeded permutation of it. */
  private int[] sendOrder(int n) {
    // A different stream from the poison plan's, so the order does not mirror which are poisoned.
    return config.shuffle() ? Permutations.random(n, new Random(config.seed() ^ 0x5DEECE66DL))
        : Permutations.identity(n);
  }

  /**
   * Waits until {@code nextSend} and returns the slot after it: a token bucket refilled at the
   * configured rate, whose depth is capped at one second so a stall is not followed by a flood.
   */
  static long pace(long nextSend, long intervalNanos) throws InterruptedException {
    long now = System.nanoTime();
    long ahead = nextSend - now;
    if (ahead > MIN_SLEEP_NANOS) {
      LockSupport.parkNanos(ahead);
      if (Thread.interrupted()) {
        throw new InterruptedException("load producer interrupted while pacing");
      }
    } else if (-ahead > MAX_BACKLOG_NANOS) {
      nextSend = now - MAX_BACKLOG_NANOS;
    }
    return nextSend + intervalNanos;
  }

  private static void throwIfFailed(AtomicReference<Exception> failure) {
    Exception e = failure.get();
    if (e != null) {
      throw e instanceof KafkaException k ? k : new KafkaException(e);
    }
  }
}

package dev.sieve.stream.topology;

import dev.sieve.wire.DatasetDescriptor;
import dev.sieve.wire.TopicNames;
import java.time.Duration;

/**
 * What the filter topology expects and how it batches.
 *
 * @param topics where samples come from and verdicts go
 * @param applicationId the Kafka Streams application id (also names the buffer's changelog topic)
 * @param height expected image height of every sample
 * @param width expected image width
 * @param channels expected channel count
 * @param numClasses labels must lie in [0, numClasses)
 * @param maxRecordBytes a value larger than this is dead-lettered before it is decoded
 * @param batchSize how many samples one Victim forward pass scores at most
 * @param maxBatchWait how long the oldest buffered sample may wait for a full batch
 * @param duplicateWindow a sample whose id was already seen within this span of record time is
 *     dead-lettered as a duplicate; the ids are kept this long (per partition, in RocksDB)
 * @param retractionWindow how many of the newest samples released as credible each task keeps, so
 *     that a newer Victim version can re-judge them and retract those it calls suspect; 0 keeps
 *     none and retracts nothing
 */
public record FilterConfig(
    TopicNames topics,
    String applicationId,
    int height,
    int width,
    int channels,
    int numClasses,
    int maxRecordBytes,
    int batchSize,
    Duration maxBatchWait,
    Duration duplicateWindow,
    int retractionWindow) {

  public static final String DEFAULT_APPLICATION_ID = "sieve-filter";
  public static final int DEFAULT_HEIGHT = 28;
  public static final int DEFAULT_WIDTH = 28;
  public static final int DEFAULT_CHANNELS = 1;
  public static final int DEFAULT_NUM_CLASSES = 10;
  public static final int DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
  public static final int DEFAULT_BATCH_SIZE = 256;
  public static final Duration DEFAULT_MAX_BATCH_WAIT = Duration.ofMillis(200);
  /** A day of ids: a crowdsourcing client that resends keeps within it, and the store stays small. */
  public static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofDays(1);
  /**
   * Released samples kept per task for re-judging: about 20 MB of RocksDB per task for 28x28
   * images, and at the demo's rates the span between two Victim versions (10,000 samples) twice.
   */
  public static final int DEFAULT_RETRACTION_WINDOW = 20_000;

  /** The punctuator never sleeps longer than this, so a short maxBatchWait is honoured closely. */
  static final Duration MAX_PUNCTUATION_INTERVAL = Duration.ofMillis(50);

  public FilterConfig {
    if (topics == null) {
      throw new IllegalArgumentException("FilterConfig.topics must not be null");
    }
    if (applicationId == null || applicationId.isBlank()) {
      throw new IllegalArgumentException("FilterConfig.applicationId must not be blank");
    }
    requirePositive("height", height);
    requirePositive("width", width);
    requirePositive("channels", channels);
    requirePositive("numClasses", numClasses);
    requirePositive("maxRecordBytes", maxRecordBytes);
    requirePositive("batchSize", batchSize);
    if (maxBatchWait == null || maxBatchWait.isNegative() || maxBatchWait.isZero()) {
      throw new IllegalArgumentException("FilterConfig.maxBatchWait must be a positive duration, got " + maxBatchWait);
    }
    if (duplicateWindow == null || duplicateWindow.isNegative() || duplicateWindow.isZero()) {
      throw new IllegalArgumentException("FilterConfig.duplicateWindow must be a positive duration, got "
          + duplicateWindow);
    }
    if (retractionWindow < 0) {
      throw new IllegalArgumentException("FilterConfig.retractionWindow must be >= 0 (0 disables retractions), got "
          + retractionWindow);
    }
  }

  /**
   * Fashion-MNIST shapes (28x28x1, 10 classes), 64 KiB records, batches of 256 within 200 ms, a day
   * of ids, the newest 20,000 released samples per task re-judged by each new Victim version.
   */
  public static FilterConfig defaults(TopicNames topics) {
    return new FilterConfig(topics, DEFAULT_APPLICATION_ID, DEFAULT_HEIGHT, DEFAULT_WIDTH,
        DEFAULT_CHANNELS, DEFAULT_NUM_CLASSES, DEFAULT_MAX_RECORD_BYTES, DEFAULT_BATCH_SIZE,
        DEFAULT_MAX_BATCH_WAIT, DEFAULT_DUPLICATE_WINDOW, DEFAULT_RETRACTION_WINDOW);
  }

  public FilterConfig withApplicationId(String id) {
    return toBuilder().applicationId(id).build();
  }

  public FilterConfig withBatchSize(int size) {
    return toBuilder().batchSize(size).build();
  }

  public FilterConfig withMaxBatchWait(Duration wait) {
    return toBuilder().maxBatchWait(wait).build();
  }

  public FilterConfig withMaxRecordBytes(int bytes) {
    return toBuilder().maxRecordBytes(bytes).build();
  }

  public FilterConfig withDuplicateWindow(Duration window) {
    return toBuilder().duplicateWindow(window).build();
  }

  public FilterConfig withRetractionWindow(int samples) {
    return toBuilder().retractionWindow(samples).build();
  }

  /** Sets the image shape and class count from the data set descriptor. */
  public FilterConfig withDataset(DatasetDescriptor dataset) {
    return toBuilder().height(dataset.height()).width(dataset.width()).channels(dataset.channels())
        .numClasses(dataset.numClasses()).build();
  }

  /** The shape every sample must have, as a descriptor (the filter knows no class names: they are numbered). */
  public DatasetDescriptor shape() {
    return DatasetDescriptor.of(channels, height, width, numClasses);
  }

  /** Whether released samples are kept and re-judged by each newer Victim version. */
  public boolean retractionsEnabled() {
    return retractionWindow > 0;
  }

  /** Number of values in one image: height x width x channels. */
  public long valuesPerImage() {
    return (long) height * width * channels;
  }

  /** How often the batcher checks the age of its oldest sample: min(maxBatchWait, 50 ms). */
  public Duration punctuationInterval() {
    return maxBatchWait.compareTo(MAX_PUNCTUATION_INTERVAL) < 0 ? maxBatchWait : MAX_PUNCTUATION_INTERVAL;
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("FilterConfig." + field + " must be > 0, got " + value);
    }
  }

  /** A builder holding this record's values, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.topics = topics;
    b.applicationId = applicationId;
    b.height = height;
    b.width = width;
    b.channels = channels;
    b.numClasses = numClasses;
    b.maxRecordBytes = maxRecordBytes;
    b.batchSize = batchSize;
    b.maxBatchWait = maxBatchWait;
    b.duplicateWindow = duplicateWindow;
    b.retractionWindow = retractionWindow;
    return b;
  }

  /** Every field of a {@link FilterConfig}; {@link #build} checks them as the constructor does. */
  public static final class Builder {
    private TopicNames topics;
    private String applicationId;
    private int height;
    private int width;
    private int channels;
    private int numClasses;
    private int maxRecordBytes;
    private int batchSize;
    private Duration maxBatchWait;
    private Duration duplicateWindow;
    private int retractionWindow;

    private Builder() {}

    public Builder topics(TopicNames value) {
      this.topics = value;
      return this;
    }

    public Builder applicationId(String value) {
      this.applicationId = value;
      return this;
    }

    public Builder height(int value) {
      this.height = value;
      return this;
    }

    public Builder width(int value) {
      this.width = value;
      return this;
    }

    public Builder channels(int value) {
      this.channels = value;
      return this;
    }

    public Builder numClasses(int value) {
      this.numClasses = value;
      return this;
    }

    public Builder maxRecordBytes(int value) {
      this.maxRecordBytes = value;
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    public Builder maxBatchWait(Duration value) {
      this.maxBatchWait = value;
      return this;
    }

    public Builder duplicateWindow(Duration value) {
      this.duplicateWindow = value;
      return this;
    }

    public Builder retractionWindow(int value) {
      this.retractionWindow = value;
      return this;
    }

    public FilterConfig build() {
      return new FilterConfig(topics, applicationId, height, width, channels, numClasses, maxRecordBytes,
          batchSize, maxBatchWait, duplicateWindow, retractionWindow);
    }
  }
}

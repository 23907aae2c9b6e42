package dev.sieve.trainer.detox;

import dev.sieve.data.IdxReader;
import dev.sieve.model.defense.detox.SampleReservoir;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.PixelEncoding;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.KafkaClients;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a detox run gets its small clean set: a uniform random sample (reservoir sampling, seeded)
 * of the credible topic as it stands, or of an IDX image/label file pair. The size is a share of
 * the source, or an absolute count.
 */
public final class CleanSamples {

  /** The sampled set, and how many records the source held. */
  public record Drawn(List<LabeledSample> samples, long sourceSize, long undecodable, String source) {}

  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private CleanSamples() {}

  /** How many to keep out of {@code sourceSize}: {@code count} if given, else the share, at least 2. */
  static int size(long sourceSize, double share, Integer count) {
    long n = count != null ? count : Math.round(sourceSize * share);
    return (int) Math.max(2, Math.min(sourceSize, n));
  }

  /**
   * Reads every committed record of {@code topic} (assign, no consumer group, nothing committed,
   * up to the end offsets seen at start) and keeps a uniform random sample of the samples inside
   * the verdicts. Records that do not decode are counted, not fatal: the credible topic only holds
   * what the filter wrote, but a replay into it could have been misconfigured.
   */
  public static Drawn fromCredibleTopic(String bootstrap, Map<String, String> clientOverrides, String topic,
      double share, Integer count, long seed) {
    Map<String, Object> props = KafkaClients.of(bootstrap, clientOverrides)
        .require(ConsumerConfig.CLIENT_ID_CONFIG, "sieve-detox-" + UUID.randomUUID()).reader().build();
    AvroSerde<Verdict> verdicts = AvroSerde.verdict();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException("topic " + topic + " does not exist on " + bootstrap
            + "; run the filter first, or give a clean set with --clean-images/--clean-labels");
      }
      List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, METADATA_TIMEOUT);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, METADATA_TIMEOUT);
      long total = 0;
      for (TopicPartition tp : partitions) {
        total += end.get(tp) - begin.get(tp);
      }
      if (total == 0) {
        throw new IllegalArgumentException("topic " + topic + " is empty: nothing credible to draw a clean set from");
      }
      // The size from the offsets; transaction markers make the record count a little smaller.
      SampleReservoir reservoir = new SampleReservoir(size(total, share, count), seed);
      long undecodable = 0;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          try {
            reservoir.offer(verdicts.decode(record.value()).getSample());
          } catch (RuntimeException e) {
            undecodable++;
          }
        }
      }
      return new Drawn(reservoir.samples(), reservoir.seen(), undecodable, "topic " + topic);
    }
  }

  /** A uniform random sample of an IDX image file and its label file (gzipped or not). */
  public static Drawn fromIdx(Path images, Path labels, double share, Integer count, long seed) throws IOException {
    IdxReader.Images read = IdxReader.readImages(images);
    int[] classes = IdxReader.readLabels(labels);
    if (classes.length != read.count()) {
      throw new IllegalArgumentException(images + " holds " + read.count() + " images but " + labels + " holds "
          + classes.length + " labels");
    }
    SampleReservoir reservoir = new SampleReservoir(size(read.count(), share, count), seed);
    for (int i = 0; i < read.count(); i++) {
      reservoir.offer(LabeledSample.newBuilder()
          .setId("clean-" + i)
          .setSource(images.getFileName().toString())
          .setLabel(classes[i])
          .setHeight(read.rows())
          .setWidth(read.cols())
          .setChannels(1)
          .setEncoding(PixelEncoding.UINT8)
          .setPixels(ByteBuffer.wrap(read.pixels()[i]))
          .setEventTime(Instant.EPOCH)
          .setMetadata(Map.of())
          .build());
    }
    return new Drawn(reservoir.samples(), read.count(), 0, images.toString());
  }
}

package dev.sieve.loadtest.load;

import dev.sieve.wire.KafkaClients;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group's lag on one topic: the records between its committed offsets and the ends of
 * the partitions. For a Kafka Streams app the group is its application id, so this is how far the
 * filter is behind what was produced, read the way an operator's tooling reads it.
 */
public final class GroupLag implements AutoCloseable {

  private final Admin admin;
  private final String groupId;
  private final String topic;

  public GroupLag(String bootstrapServers, String groupId, String topic, Map<String, String> clientOverrides) {
    this.admin = Admin.create(KafkaClients.of(bootstrapServers, clientOverrides).build());
    this.groupId = groupId;
    this.topic = topic;
  }

  /** Sum over the topic's partitions of end offset minus committed offset (all of it where nothing is committed). */
  public long lag() {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      int partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
          .get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
      long lag = 0;
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
      }
      return lag;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the lag of group " + groupId + " on " + topic + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the lag of " + groupId, e);
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}

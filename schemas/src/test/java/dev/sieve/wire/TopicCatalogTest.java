package dev.sieve.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicCatalogTest {

  @Test
  void modelTopicsAreCompactedAndReplaySourcesKeptLong() {
    Map<String, NewTopic> topics = TopicCatalog.topics(new TopicNames("p."), 6).stream()
        .collect(Collectors.toMap(NewTopic::name, t -> t));
    assertEquals(9, topics.size());
    assertEquals(1, topics.get("p.alerts").numPartitions(), "alerts are read in order");
    assertEquals("delete", topics.get("p.alerts").configs().get("cleanup.policy"));
    assertEquals(1, topics.get("p.audit").numPartitions(), "the audit trail is one ordered history");
    assertEquals("delete", topics.get("p.audit").configs().get("cleanup.policy"));
    assertEquals(Long.toString(TopicCatalog.AUDIT_RETENTION_MS), topics.get("p.audit").configs().get("retention.ms"));
    assertEquals("compact", topics.get("p.victim-models").configs().get("cleanup.policy"));
    assertEquals("compact", topics.get("p.clean-models").configs().get("cleanup.policy"));
    assertEquals(1, topics.get("p.victim-models").numPartitions());
    assertEquals(6, topics.get("p.samples").numPartitions());
    assertEquals(6, topics.get("p.retractions").numPartitions(), "partitioned like credible");
    assertEquals(Long.toString(TopicCatalog.OUTPUT_RETENTION_MS), topics.get("p.retractions").configs().get("retention.ms"));
    assertEquals(Long.toString(TopicCatalog.REPLAY_RETENTION_MS), topics.get("p.samples").configs().get("retention.ms"));
    assertEquals(Long.toString(TopicCatalog.REPLAY_RETENTION_MS), topics.get("p.quarantine").configs().get("retention.ms"));
    assertThrows(IllegalArgumentException.class, () -> TopicCatalog.topics(TopicNames.defaults(), 0));
  }

  @Test
  void aReplaysOutputsAreNamedByItAndConfiguredLikeTheLiveOnes() {
    Map<String, NewTopic> topics = TopicCatalog.replayTopics(new TopicNames("p."), "may-1", 4).stream()
        .collect(Collectors.toMap(NewTopic::name, t -> t));
    assertEquals(java.util.Set.of("p.replay.may-1.credible", "p.replay.may-1.quarantine", "p.replay.may-1.dead-letter"),
        topics.keySet());
    assertEquals(4, topics.get("p.replay.may-1.credible").numPartitions());
    assertEquals(Long.toString(TopicCatalog.OUTPUT_RETENTION_MS),
        topics.get("p.replay.may-1.credible").configs().get("retention.ms"));
    assertEquals(Long.toString(TopicCatalog.REPLAY_RETENTION_MS),
        topics.get("p.replay.may-1.quarantine").configs().get("retention.ms"));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> new TopicNames("p.").replay("a.b"));
    assertEquals("replay name is 'a.b'; expected letters, digits, '_' or '-' (it becomes part of the topic names"
        + " p.replay.NAME.credible, ...)", bad.getMessage());
  }
}

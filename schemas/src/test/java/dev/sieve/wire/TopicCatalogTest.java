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
    assertEquals(7, topics.size());
    assertEquals(1, topics.get("p.alerts").numPartitions(), "alerts are read in order");
    assertEquals("delete", topics.get("p.alerts").configs().get("cleanup.policy"));
    assertEquals("compact", topics.get("p.victim-models").configs().get("cleanup.policy"));
    assertEquals("compact", topics.get("p.clean-models").configs().get("cleanup.policy"));
    assertEquals(1, topics.get("p.victim-models").numPartitions());
    assertEquals(6, topics.get("p.samples").numPartitions());
    assertEquals(Long.toString(TopicCatalog.REPLAY_RETENTION_MS), topics.get("p.samples").configs().get("retention.ms"));
    assertEquals(Long.toString(TopicCatalog.REPLAY_RETENTION_MS), topics.get("p.quarantine").configs().get("retention.ms"));
    assertThrows(IllegalArgumentException.class, () -> TopicCatalog.topics(TopicNames.defaults(), 0));
  }
}

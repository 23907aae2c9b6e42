package dev.sieve.wire;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Which topics Sieve needs and how they are configured. Creating them is idempotent, so every
 * command can call {@link #ensureTopics} at start-up against a fresh or an existing cluster.
 */
public final class TopicCatalog {

  private static final long DAY_MS = 24L * 60 * 60 * 1000;
  /** Samples and quarantine are the replay source, so they keep 90 days by default. */
  public static final long REPLAY_RETENTION_MS = 90 * DAY_MS;
  public static final long OUTPUT_RETENTION_MS = 30 * DAY_MS;
  /** The audit trail outlives the samples it speaks of: who released what must be answerable later. */
  public static final long AUDIT_RETENTION_MS = 365 * DAY_MS;

  private static final Duration LEADER_WAIT = Duration.ofSeconds(60);

  private TopicCatalog() {}

  /**
   * The topics with their configs. Data topics get {@code partitions} partitions (the unit of
   * parallelism of the filter); model topics get one, because a model version stream is tiny and
   * must be read in order. Replication is left to the broker default so that the same call works
   * on a one-node demo broker and on a production cluster.
   */
  public static List<NewTopic> topics(TopicNames names, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    Map<String, String> replay = Map.of(
        TopicConfig.RETENTION_MS_CONFIG, Long.toString(REPLAY_RETENTION_MS),
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    Map<String, String> output = Map.of(
        TopicConfig.RETENTION_MS_CONFIG, Long.toString(OUTPUT_RETENTION_MS),
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    Map<String, String> audit = Map.of(
        TopicConfig.RETENTION_MS_CONFIG, Long.toString(AUDIT_RETENTION_MS),
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    Map<String, String> compacted = Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(60_000));
    return List.of(
        topic(names.samples(), partitions, replay),
        topic(names.quarantine(), partitions, replay),
        topic(names.credible(), partitions, output),
        // Partitioned like credible, so a sample's retraction lies in the partition of its verdict.
        topic(names.retractions(), partitions, output),
        topic(names.deadLetter(), partitions, output),
        // Alerts are rare and read in order by people and pagers: one partition.
        topic(names.alerts(), 1, output),
        // The audit trail is read in order, as one history: one partition.
        topic(names.audit(), 1, audit),
        topic(names.victimModels(), 1, compacted),
        topic(names.cleanModels(), 1, compacted));
  }

  /**
   * Waits until every partition has a leader. Producing into a partition whose leader is still
   * being elected fails the first batch; an idempotent producer that retries it after later
   * batches were accepted can then be stuck on OUT_OF_ORDER_SEQUENCE_NUMBER until it times out.
   */
  private static void awaitLeaders(Admin admin, List<String> topicNames) throws ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
    while (true) {
      boolean ready;
      try {
        Map<String, TopicDescription> described = admin.describeTopics(topicNames).allTopicNames().get();
        ready = described.values().stream()
            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
      } catch (ExecutionException e) {
        // A topic created a moment ago may not be in the broker's metadata cache yet.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw e;
        }
        ready = false;
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Sieve topics still have partitions without a leader after " + LEADER_WAIT);
      }
      Thread.sleep(100);
    }
  }

  private static NewTopic topic(String name, int partitions, Map<String, String> configs) {
    return new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs);
  }

  /**
   * The outputs of a replay named {@code replayName} ({@link TopicNames#replay}): credible,
   * quarantine and dead-letter, configured like the live topics they stand in for.
   */
  public static List<NewTopic> replayTopics(TopicNames names, String replayName, int partitions) {
    TopicNames outputs = names.replay(replayName);
    Set<String> wanted = Set.of(outputs.credible(), outputs.quarantine(), outputs.deadLetter());
    return topics(outputs, partitions).stream().filter(t -> wanted.contains(t.name())).toList();
  }

  /** Creates whichever of Sieve's topics do not exist yet; existing ones are left untouched. */
  /** As {@link #ensureTopics(Admin, TopicNames, int)} with an admin client of its own. */
  public static void ensureTopics(String bootstrapServers, Map<String, ?> clientOverrides, TopicNames names,
      int partitions) {
    try (Admin admin = Admin.create(KafkaClients.of(bootstrapServers, clientOverrides).build())) {
      ensureTopics(admin, names, partitions);
    }
  }

  public static void ensureTopics(Admin admin, TopicNames names, int partitions) {
    ensure(admin, topics(names, partitions));
  }

  /** Creates whichever of a replay's output topics do not exist yet; existing ones are left untouched. */
  public static void ensureReplayTopics(Admin admin, TopicNames names, String replayName, int partitions) {
    ensure(admin, replayTopics(names, replayName, partitions));
  }

  private static void ensure(Admin admin, List<NewTopic> wanted) {
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = wanted.stream()
          .filter(t -> !existing.contains(t.name()))
          .collect(Collectors.toList());
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitLeaders(admin, wanted.stream().map(NewTopic::name).toList());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create Sieve topics: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}

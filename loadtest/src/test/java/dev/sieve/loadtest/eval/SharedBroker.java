package dev.sieve.loadtest.eval;

import dev.sieve.embedded.EmbeddedKafkaBroker;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One embedded broker for every integration test of this module, started on first use and
 * stopped when the test JVM exits: a KRaft broker takes seconds to start, and each test keeps to
 * its own topic prefix, so they need not have one each.
 */
public final class SharedBroker {


  private SharedBroker() {}

  public static String bootstrap() {
    return EmbeddedKafkaBroker.shared().bootstrapServers();
  }

  /** Creates Sieve's topics under {@code topics}' prefix with {@code partitions} data partitions. */
  public static void ensureTopics(TopicNames topics, int partitions) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      TopicCatalog.ensureTopics(admin, topics, partitions);
    }
  }
}

package dev.sieve.embedded;

import java.util.List;

/**
 * Turns the in-process broker's INFO chatter down to WARN when slf4j-simple is the logging
 * backend. A broker logs hundreds of lines at start-up (its whole config, every raft and
 * controller step) which would bury the demo's own output and the test reports.
 *
 * <p>slf4j-simple reads {@code org.slf4j.simpleLogger.log.<name>} when a logger is created, so
 * setting the properties before the broker classes are loaded is enough. A level the user has set
 * explicitly (on the command line or earlier in code) is left untouched. Other backends (logback,
 * log4j) ignore these properties and follow their own configuration.
 */
final class BrokerLogging {

  private static final String PREFIX = "org.slf4j.simpleLogger.log.";

  /** Logger name prefixes used by the broker and controller (and, for the last, config dumps). */
  private static final List<String> BROKER_LOGGERS = List.of(
      "kafka",
      "state.change.logger",
      "org.apache.kafka.server",
      "org.apache.kafka.storage",
      "org.apache.kafka.raft",
      "org.apache.kafka.controller",
      "org.apache.kafka.image",
      "org.apache.kafka.metadata",
      "org.apache.kafka.coordinator",
      "org.apache.kafka.timeline",
      "org.apache.kafka.snapshot",
      "org.apache.kafka.queue",
      "org.apache.kafka.network",
      "org.apache.kafka.security",
      // The broker dumps its full config (~300 lines) through this shared logger each time its
      // metadata loader re-reads dynamic configs; clients' config dumps go quiet with it.
      "org.apache.kafka.common.config.AbstractConfig");

  private BrokerLogging() {}

  static void quietByDefault() {
    for (String name : BROKER_LOGGERS) {
      String key = PREFIX + name;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }
}

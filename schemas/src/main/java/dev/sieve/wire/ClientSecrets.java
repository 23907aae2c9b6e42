package dev.sieve.wire;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Tells which Kafka client settings are secrets, so that no config record and no log line prints
 * them. Kafka's own clients print their configs with passwords hidden; a Sieve config record that
 * holds the same settings (a {@code sasl.jaas.config} with a password, from {@code --client-config})
 * is logged by Sieve and must do the same.
 */
public final class ClientSecrets {

  /** What a secret prints as. */
  public static final String HIDDEN = "[hidden]";

  /**
   * Names that hold credentials whatever Kafka's config definitions say, for settings of
   * plugins and extensions Kafka does not know.
   */
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(password|passwd|secret|jaas|token|credential|private|\\.key$|user\\.info).*");

  private ClientSecrets() {}

  /** Whether the client setting {@code name} holds a secret. */
  public static boolean isSecret(String name) {
    return SECRET_NAME.matcher(name).matches()
        || declaredPassword(ProducerConfig.configDef(), name)
        || declaredPassword(ConsumerConfig.configDef(), name)
        || declaredPassword(AdminClientConfig.configDef(), name);
  }

  private static boolean declaredPassword(ConfigDef def, String name) {
    ConfigDef.ConfigKey key = def.configKeys().get(name);
    return key != null && key.type == ConfigDef.Type.PASSWORD;
  }

  /** The settings, sorted, with every secret's value replaced by {@link #HIDDEN}. */
  public static String redact(Map<String, ?> settings) {
    Map<String, Object> shown = new TreeMap<>();
    if (settings != null) {
      settings.forEach((k, v) -> shown.put(k, isSecret(k) ? HIDDEN : v));
    }
    return shown.toString();
  }
}

package dev.sieve.ui;

import dev.sieve.wire.TopicNames;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the quarantine view needs: the cluster, where to listen, who may act, how much to
 * keep in memory, and the names of the classes (shown beside the label numbers).
 *
 * @param bind address to listen on; 127.0.0.1 unless told otherwise, so a view that can release
 *     samples into training never opens to the network by accident
 * @param port TCP port, 0 for any free one
 * @param capacity how many of the newest quarantined verdicts the view keeps
 */
public record UiConfig(String bootstrapServers, TopicNames topics, Map<String, String> clientOverrides,
    String bind, int port, AccessTokens tokens, int capacity, List<String> classNames) {

  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;

  /** Fashion-MNIST's classes, the data set Sieve ships with. */
  public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
      "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  public UiConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(bind, "bind");
    clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
    classNames = List.copyOf(classNames);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port is " + port + ", expected 0-65535 (0 = any free port)");
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity is " + capacity + ", expected at least 1 quarantined sample");
    }
    if (classNames.isEmpty()) {
      throw new IllegalArgumentException("classNames is empty, expected one name per class");
    }
  }

  public static UiConfig defaults(String bootstrapServers, TopicNames topics, AccessTokens tokens) {
    return new UiConfig(bootstrapServers, topics, Map.of(), DEFAULT_BIND, DEFAULT_PORT, tokens,
        QuarantineIndex.DEFAULT_CAPACITY, FASHION_MNIST_CLASSES);
  }

  public UiConfig withClientOverrides(Map<String, String> overrides) {
    return new UiConfig(bootstrapServers, topics, overrides, bind, port, tokens, capacity, classNames);
  }

  public UiConfig withListen(String bind, int port) {
    return new UiConfig(bootstrapServers, topics, clientOverrides, bind, port, tokens, capacity, classNames);
  }

  public UiConfig withCapacity(int capacity) {
    return new UiConfig(bootstrapServers, topics, clientOverrides, bind, port, tokens, capacity, classNames);
  }

  public int numClasses() {
    return classNames.size();
  }
}

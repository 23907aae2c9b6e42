package dev.sieve.ui;

import dev.sieve.wire.ClientSecrets;
import dev.sieve.wire.DatasetDescriptor;
import dev.sieve.wire.TopicNames;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the quarantine view needs: the cluster, where to listen, which Host names it answers
 * to, who may read and act, how much to keep in memory, and the names of the classes (shown beside
 * the label numbers).
 *
 * @param bind address to listen on; 127.0.0.1 unless told otherwise, so a view that can release
 *     samples into training never opens to the network by accident
 * @param port TCP port, 0 for any free one
 * @param capacity how many of the newest quarantined verdicts the view keeps
 * @param allowedHosts the host names (no port) a request's Host header may carry; empty for the
 *     defaults, see {@link #hostAllowList()}
 */
public record UiConfig(String bootstrapServers, TopicNames topics, Map<String, String> clientOverrides,
    String bind, int port, AccessTokens tokens, int capacity, List<String> classNames, List<String> allowedHosts) {

  /** Clears the secrets in {@link #clientOverrides}: this record is logged. */
  @Override
  public String toString() {
    return "UiConfig[bootstrapServers=" + bootstrapServers + ", topics=" + topics + ", clientOverrides="
        + ClientSecrets.redact(clientOverrides) + ", bind=" + bind + ", port=" + port + ", tokens=" + tokens
        + ", capacity=" + capacity + ", classNames=" + classNames + ", allowedHosts=" + allowedHosts + "]";
  }

  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  /** The names a browser on the view's own machine uses; always allowed unless --allowed-host replaces them. */
  public static final List<String> LOOPBACK_HOSTS = List.of("localhost", "127.0.0.1", "[::1]");

  /** Fashion-MNIST's classes, the data set Sieve ships with (the default data set descriptor's). */
  public static final List<String> FASHION_MNIST_CLASSES = DatasetDescriptor.FASHION_MNIST.classNames();

  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "[::]", "[0:0:0:0:0:0:0:0]");

  public UiConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(bind, "bind");
    clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
    classNames = List.copyOf(classNames);
    allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(UiConfig::hostName).toList();
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
        QuarantineIndex.DEFAULT_CAPACITY, FASHION_MNIST_CLASSES, List.of());
  }

  public UiConfig withClientOverrides(Map<String, String> overrides) {
    return toBuilder().clientOverrides(overrides).build();
  }

  public UiConfig withListen(String bind, int port) {
    return toBuilder().bind(bind).port(port).build();
  }

  /** The class names the view shows and the relabel menu offers, in label order (the data set descriptor's). */
  public UiConfig withClassNames(List<String> names) {
    return toBuilder().classNames(names).build();
  }

  public UiConfig withCapacity(int capacity) {
    return toBuilder().capacity(capacity).build();
  }

  /** Replaces the default Host allow-list; an empty list restores it. */
  public UiConfig withAllowedHosts(List<String> hosts) {
    return toBuilder().allowedHosts(hosts).build();
  }

  public int numClasses() {
    return classNames.size();
  }

  /**
   * The host names a request may address, lower case, IPv6 literals in brackets: {@link
   * #allowedHosts} when given, else {@link #LOOPBACK_HOSTS} and the bind address unless it is a
   * wildcard. The check holds whatever the bind address: a page on another site that rebinds its
   * DNS name to this machine still sends its own name as Host, and is refused.
   */
  public Set<String> hostAllowList() {
    if (!allowedHosts.isEmpty()) {
      return new LinkedHashSet<>(allowedHosts);
    }
    Set<String> out = new LinkedHashSet<>(LOOPBACK_HOSTS);
    String bound = hostName(bind);
    if (!WILDCARDS.contains(bound)) {
      out.add(bound);
    }
    return out;
  }

  /**
   * A host as the Host header carries it, without a port: lower case, an IPv6 literal in brackets.
   *
   * @throws IllegalArgumentException for an empty name, one with a port, or characters no host has
   */
  static String hostName(String host) {
    String h = Objects.requireNonNull(host, "host").strip().toLowerCase(Locale.ROOT);
    if (!h.startsWith("[") && h.indexOf(':') != h.lastIndexOf(':')) {
      h = "[" + h + "]";
    }
    String inner = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    if (inner.isEmpty()) {
      throw new IllegalArgumentException("an allowed host is empty");
    }
    if (inner.contains(":") && !h.startsWith("[")) {
      throw new IllegalArgumentException("allowed host " + host + " has a port; give the host name alone, "
          + "the port is not compared");
    }
    for (char c : inner.toCharArray()) {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'
          || (c == ':' && h.startsWith("["));
      if (!ok) {
        throw new IllegalArgumentException("allowed host " + host + " is not a host name or IP address");
      }
    }
    return h;
  }

  /** A builder holding this record's values, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.topics = topics;
    b.clientOverrides = clientOverrides;
    b.bind = bind;
    b.port = port;
    b.tokens = tokens;
    b.capacity = capacity;
    b.classNames = classNames;
    b.allowedHosts = allowedHosts;
    return b;
  }

  /** Every field of a {@link UiConfig}; {@link #build} checks them as the constructor does. */
  public static final class Builder {
    private String bootstrapServers;
    private TopicNames topics;
    private Map<String, String> clientOverrides;
    private String bind;
    private int port;
    private AccessTokens tokens;
    private int capacity;
    private List<String> classNames;
    private List<String> allowedHosts;

    private Builder() {}

    public Builder bootstrapServers(String value) {
      this.bootstrapServers = value;
      return this;
    }

    public Builder topics(TopicNames value) {
      this.topics = value;
      return this;
    }

    public Builder clientOverrides(Map<String, String> value) {
      this.clientOverrides = value;
      return this;
    }

    public Builder bind(String value) {
      this.bind = value;
      return this;
    }

    public Builder port(int value) {
      this.port = value;
      return this;
    }

    public Builder tokens(AccessTokens value) {
      this.tokens = value;
      return this;
    }

    public Builder capacity(int value) {
      this.capacity = value;
      return this;
    }

    public Builder classNames(List<String> value) {
      this.classNames = value;
      return this;
    }

    public Builder allowedHosts(List<String> value) {
      this.allowedHosts = value;
      return this;
    }

    public UiConfig build() {
      return new UiConfig(bootstrapServers, topics, clientOverrides, bind, port, tokens, capacity,
          classNames, allowedHosts);
    }
  }
}

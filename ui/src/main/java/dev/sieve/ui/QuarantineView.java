package dev.sieve.ui;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quarantine web view, running: a follower that indexes the verdict and audit topics, the
 * transactional writer of people's actions, and the JDK's HTTP server in front of them (a page
 * and a small JSON API do not justify a web framework).
 */
public final class QuarantineView implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(QuarantineView.class);
  private static final int HTTP_THREADS = 4;

  private final IndexFollower follower;
  private final ReviewActions actions;
  private final HttpServer server;
  private final ExecutorService executor;
  private final String host;

  private QuarantineView(IndexFollower follower, ReviewActions actions, HttpServer server, ExecutorService executor,
      String host) {
    this.follower = follower;
    this.actions = actions;
    this.server = server;
    this.executor = executor;
    this.host = host;
  }

  /**
   * Starts reading the topics and serving. The topics must exist (see TopicCatalog).
   *
   * @throws UncheckedIOException when the address cannot be bound, naming it
   */
  public static QuarantineView start(UiConfig config) {
    // First, so that a bad --allowed-host or --bind is refused before any Kafka client starts.
    Set<String> allowedHosts = config.hostAllowList();
    QuarantineIndex index = new QuarantineIndex(config.capacity());
    IndexFollower follower = new IndexFollower(config.bootstrapServers(), config.topics(), config.clientOverrides(), index);
    ReviewActions actions = null;
    HttpServer server = null;
    try {
      follower.start();
      actions = new ReviewActions(config.bootstrapServers(), config.topics(), config.clientOverrides(), index,
          config.numClasses(), Clock.systemUTC());
      InetSocketAddress address = new InetSocketAddress(config.bind(), config.port());
      if (address.isUnresolved()) {
        throw new IllegalArgumentException("cannot resolve bind address " + config.bind());
      }
      try {
        server = HttpServer.create(address, 32);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serve the quarantine view on " + config.bind() + ":" + config.port()
            + " (" + e.getMessage() + "); pick another port with --port", e);
      }
      server.createContext("/", new QuarantineHttpHandler(config, index, follower, actions));
      AtomicInteger threads = new AtomicInteger();
      ExecutorService executor = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
        Thread t = new Thread(r, "sieve-ui-http-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      server.setExecutor(executor);
      server.start();
      // The page's address must name a host the view answers to: the bind address if allowed (not
      // a wildcard), else the first allowed host.
      String bound = UiConfig.hostName(config.bind());
      String host = allowedHosts.contains(bound) ? bound : allowedHosts.iterator().next();
      QuarantineView view = new QuarantineView(follower, actions, server, executor, host);
      LOG.info("quarantine view on {}, answering to Host {}", view.url(), String.join(", ", allowedHosts));
      return view;
    } catch (RuntimeException e) {
      if (server != null) {
        server.stop(0);
      }
      if (actions != null) {
        actions.close();
      }
      follower.close();
      throw e;
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The page's address; on a wildcard bind, with the first allowed host (by default localhost). */
  public String url() {
    return "http://" + host + ":" + port() + "/";
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    actions.close();
    follower.close();
  }
}

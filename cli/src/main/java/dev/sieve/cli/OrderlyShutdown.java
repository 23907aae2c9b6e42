package dev.sieve.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a command that runs until it is stopped ({@code stream}, {@code train}, {@code ui}) ends on
 * SIGTERM or SIGINT: the exit status says whether the stop was orderly.
 *
 * <p>The command registers, first thing in {@code call()}, and closes the registration last:
 * <pre>{@code
 * try (OrderlyShutdown shutdown = OrderlyShutdown.install("stream")) {
 *   ... open things (try-with-resources) ...
 *   shutdown.stopWith(stopRequested::countDown);   // or trainer::stop
 *   ... run until stopped; the resources close in reverse order ...
 * }
 * }</pre>
 * On a signal the JVM runs the registered hook. The hook only asks the command to stop
 * ({@link #stopWith}); the command's own thread then leaves its loop and closes everything in
 * order: worker threads (Kafka Streams, the Victim updater, the training thread) are stopped and
 * joined before the models and NDManagers they use are freed. The hook waits for the command to
 * return through {@link #exit} and then halts the JVM with 0, or with the command's own non-zero
 * status when closing failed (its reason is printed by {@code Sieve}'s failure handler). If the
 * command has not returned within the timeout, the hook says so on stderr and halts with 1.
 *
 * <p>Why halt: a JVM that ran its hooks after SIGTERM exits with 143 (128 + 15) whatever they did,
 * so without it an orderly stop and a crash during the stop look alike; orchestrators (Kubernetes,
 * systemd, Compose) read 0 as a clean stop. Halting after the command returned skips nothing that
 * matters: every thread that runs native code has been joined and every client closed by then, so
 * no daemon thread is inside libtorch while the process exits.
 *
 * <p>A command that ends by itself (an error, {@code --until-idle-s}) removes the hook when it
 * closes the registration, so a test that runs commands in its own JVM is not halted at its end.
 */
final class OrderlyShutdown implements AutoCloseable {

  /**
   * Longer than the waits inside the orderly close (Kafka Streams 30 s, the Victim updater's
   * thread 60 s, the training thread 60 s), so that those report their own timeouts first; a
   * normal stop takes seconds (a round or step stops at its next batch).
   */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(100);
  /** A JVM option that overrides {@link #DEFAULT_TIMEOUT}, in seconds: {@code -Dsieve.shutdown.timeout-s=30}. */
  static final String TIMEOUT_PROPERTY = "sieve.shutdown.timeout-s";
  /** The status when the orderly close did not finish in time. */
  static final int TIMED_OUT = 1;

  /** The registration whose hook may run; signals are JVM-wide, so there is one at a time. */
  private static volatile OrderlyShutdown installed;

  private final String command;
  private final Duration timeout;
  private final Thread hook;
  private final CountDownLatch commandReturned = new CountDownLatch(1);
  private volatile int status;
  private volatile boolean stopRequested;
  private volatile Runnable stop;

  private OrderlyShutdown(String command, Duration timeout) {
    this.command = command;
    this.timeout = timeout;
    this.hook = new Thread(this::onSignal, "sieve-" + command + "-shutdown");
  }

  /** Registers the shutdown hook of {@code sieve <command>}; nothing is stopped until {@link #stopWith}. */
  static OrderlyShutdown install(String command) {
    OrderlyShutdown shutdown = new OrderlyShutdown(command, timeout());
    installed = shutdown;
    Runtime.getRuntime().addShutdownHook(shutdown.hook);
    return shutdown;
  }

  /**
   * What the hook calls to ask the command to stop: a latch the command waits on, or a trainer's
   * {@code stop}. It must return at once (the closing happens on the command's thread) and may
   * be called twice. When the signal came before this, {@code stop} runs now.
   */
  void stopWith(Runnable stop) {
    this.stop = stop;
    if (stopRequested) {
      stop.run();
    }
  }

  /**
   * The command is done: the hook is removed, unless a signal has already started it (then it
   * waits for {@link #exit}).
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is shutting down: the hook is running, or about to, and halts once exit() reports.
    }
  }

  /**
   * Ends the process with {@code status}: {@code Sieve.main} calls this instead of
   * {@link System#exit}. During a signal's shutdown it hands the status to the hook, which halts
   * with it; {@code System.exit} then blocks until that halt, as it does while hooks run.
   */
  static void exit(int status) {
    OrderlyShutdown shutdown = installed;
    if (shutdown != null) {
      shutdown.status = status;
      shutdown.commandReturned.countDown();
    }
    System.exit(status);
  }

  private void onSignal() {
    stopRequested = true;
    System.err.printf("sieve %s: stopping (signal received): threads are stopped and joined, then models and clients"
        + " closed; exit status 0 once done, at most %d s%n", command, timeout.toSeconds());
    Runnable s = stop;
    if (s != null) {
      try {
        s.run();
      } catch (RuntimeException e) {
        System.err.printf("sieve %s: asking the command to stop failed: %s%n", command, e);
      }
    }
    boolean returned;
    try {
      returned = commandReturned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      returned = false;
    }
    int exitStatus;
    if (!returned) {
      exitStatus = TIMED_OUT;
      System.err.printf("sieve %s: the orderly shutdown did not finish within %d s; exiting with status %d without"
          + " it%n", command, timeout.toSeconds(), exitStatus);
    } else if (status != 0) {
      exitStatus = status;
      System.err.printf("sieve %s: the orderly shutdown failed (above); exiting with status %d%n", command, exitStatus);
    } else {
      exitStatus = 0;
      System.err.printf("sieve %s: stopped cleanly%n", command);
    }
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(exitStatus);
  }

  private static Duration timeout() {
    String seconds = System.getProperty(TIMEOUT_PROPERTY);
    if (seconds == null || seconds.isBlank()) {
      return DEFAULT_TIMEOUT;
    }
    try {
      long s = Long.parseLong(seconds.strip());
      if (s > 0) {
        return Duration.ofSeconds(s);
      }
    } catch (NumberFormatException e) {
      // falls through to the refusal below
    }
    throw new IllegalArgumentException("-D" + TIMEOUT_PROPERTY + " must be a positive number of seconds, got '"
        + seconds + "'");
  }
}

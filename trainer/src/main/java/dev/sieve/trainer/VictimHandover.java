package dev.sieve.trainer;

import dev.sieve.model.scoring.VictimModel;
import dev.sieve.model.versions.VictimFollower;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The newest Victim, handed from the thread that follows the victim-models topic ({@link
 * VictimFollower}) to the training thread. The follower leaves each version it loads here; the
 * training thread adopts it between batches, and only then closes the one it replaces, so a
 * Victim is never closed while a step uses it.
 */
final class VictimHandover implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(VictimHandover.class);
  /** How long a bounded run waits, at its end, for the newest Victim on the topic to be loaded. */
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);

  private final BeneficiaryConfig config;
  private final TrainingListener listener;
  private final Scheduler trainingThread;
  private final Consumer<VictimModel> useVictim;

  /** Loaded by the follower, not yet adopted by the training thread. */
  private final AtomicReference<VictimModel> pending = new AtomicReference<>();
  /** The Victim in use; only the training thread swaps it (and close(), once no run is left). */
  private volatile VictimModel current;
  private VictimFollower follower;

  /**
   * @param useVictim called on the training thread with each Victim adopted, before the one it
   *     replaces is closed
   */
  VictimHandover(BeneficiaryConfig config, TrainingListener listener, Scheduler trainingThread,
      Consumer<VictimModel> useVictim) {
    this.config = config;
    this.listener = listener;
    this.trainingThread = trainingThread;
    this.useVictim = useVictim;
  }

  /** Starts following the victim-models topic, for versions newer than the current one. */
  void follow() {
    // Newer than the Victim this trainer holds from an earlier run; after a restart it holds
    // none, and the newest version on the topic is loaded again.
    long held = version();
    follower = new VictimFollower(config.bootstrapServers(), config.topics().victimModels(), config.victimModelId(),
        config.groupId() + "-victims", config.clientOverrides(), config.modelTrust(),
        held == 0 ? Optional.empty() : Optional.of(held), this::loaded, listener::onVictimRefused);
    follower.start();
  }

  /**
   * Stops the follower; what it handed over last stays pending, for {@link #adopt}.
   *
   * @param catchUpFirst first wait until the follower has loaded what the topic held when it
   *     started, so that a short run does not end before its Victim arrived
   */
  void stopFollowing(boolean catchUpFirst) {
    VictimFollower f = follower;
    if (f == null) {
      return;
    }
    follower = null;
    try {
      if (catchUpFirst && !f.awaitCaughtUp(CATCH_UP_TIMEOUT)) {
        LOG.warn("{}: the victim follower did not read {} to its end within {} s; ending the run with victim v{}",
            config.modelId(), config.topics().victimModels(), CATCH_UP_TIMEOUT.toSeconds(), version());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      f.close();
    }
  }

  /** On the follower's thread: a newer Victim is loaded; the training thread adopts it between batches. */
  private void loaded(VictimModel victim) {
    VictimModel superseded = pending.getAndSet(victim);
    if (superseded != null) {
      LOG.info("{}: victim v{} superseded by v{} before it was adopted", config.modelId(), superseded.version(),
          victim.version());
      superseded.close();
    }
    try {
      trainingThread.schedule(this::adopt);
    } catch (RejectedExecutionException e) {
      // The trainer is closing; close() releases whatever is still pending.
      LOG.debug("{}: training thread gone, victim v{} stays pending", config.modelId(), victim.version());
    }
  }

  /** On the training thread: the pending Victim, if newer, replaces the current one. */
  void adopt() {
    VictimModel next = pending.getAndSet(null);
    if (next == null) {
      return;
    }
    if (current != null && next.version() <= current.version()) {
      next.close();
      return;
    }
    VictimModel previous = current;
    current = next;
    useVictim.accept(next);
    if (previous != null) {
      previous.close();
    }
  }

  /** The version of the Victim in use; 0 while there is none. */
  long version() {
    VictimModel v = current;
    return v == null ? 0 : v.version();
  }

  /** Once no run is left: releases the Victim in use and any still pending. */
  @Override
  public void close() {
    if (current != null) {
      current.close();
    }
    VictimModel unused = pending.getAndSet(null);
    if (unused != null) {
      unused.close();
    }
  }
}

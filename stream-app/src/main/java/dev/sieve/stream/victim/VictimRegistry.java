package dev.sieve.stream.victim;

import dev.sieve.model.scoring.Victim;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the Victim version currently in force and hands out leases on it.
 *
 * <p>A stream thread leases the Victim for a whole batch, so one batch is always scored by exactly
 * one version. {@link #swap} installs a newer version atomically; the replaced one is closed only
 * when its last lease is released (reference counting), so a batch being scored is never pulled
 * out from under a stream thread while the updater installs the next version.
 *
 * <p>The registry owns every Victim handed to {@link #swap}: an installed one is closed when it is
 * retired and unleased, a refused one is closed at once.
 */
public final class VictimRegistry implements AutoCloseable {

  /** Told after a new version has been installed. Called outside the registry's lock. */
  @FunctionalInterface
  public interface Listener {
    void installed(String modelId, long version, Optional<Long> previousVersion);
  }

  private static final Logger log = LoggerFactory.getLogger(VictimRegistry.class);

  private final Object lock = new Object();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private Slot current;
  private boolean closed;

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /**
   * A lease on the current version, or empty before the first Victim has been installed (and after
   * the registry has been closed).
   */
  public Optional<VictimLease> acquire() {
    synchronized (lock) {
      if (closed || current == null) {
        return Optional.empty();
      }
      current.references++;
      return Optional.of(new Lease(current));
    }
  }

  /** The version currently in force, if any. */
  public Optional<Long> currentVersion() {
    synchronized (lock) {
      return closed || current == null ? Optional.empty() : Optional.of(current.victim.version());
    }
  }

  /**
   * Installs {@code next} if its version is newer than the current one. An older or equal version
   * is refused, logged and closed (the same instance as the current one is just ignored), because
   * a compacted model topic can replay versions the registry has already moved past.
   *
   * @return whether {@code next} was installed
   */
  public boolean swap(Victim next) {
    if (next == null) {
      throw new IllegalArgumentException("swap: the next Victim must not be null");
    }
    Slot retired;
    Optional<Long> previous;
    synchronized (lock) {
      if (current != null && current.victim == next) {
        log.info("Victim {} v{} is already installed; ignoring the repeated swap", next.modelId(), next.version());
        return false;
      }
      if (closed) {
        log.warn("registry is closed; refusing Victim {} v{}", next.modelId(), next.version());
        closeQuietly(next);
        return false;
      }
      if (current != null && next.version() <= current.victim.version()) {
        log.warn("refusing Victim {} v{}: not newer than the installed v{}",
            next.modelId(), next.version(), current.victim.version());
        closeQuietly(next);
        return false;
      }
      retired = current;
      previous = retired == null ? Optional.empty() : Optional.of(retired.victim.version());
      current = new Slot(next);
    }
    log.info("installed Victim {} v{} (previous: {})", next.modelId(), next.version(),
        previous.map(v -> "v" + v).orElse("none"));
    if (retired != null) {
      release(retired);
    }
    for (Listener listener : listeners) {
      try {
        listener.installed(next.modelId(), next.version(), previous);
      } catch (RuntimeException e) {
        log.warn("Victim swap listener failed for v{}", next.version(), e);
      }
    }
    return true;
  }

  /** Closes the current Victim now, or once its open leases are released. */
  @Override
  public void close() {
    Slot retired;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      retired = current;
      current = null;
    }
    if (retired != null) {
      release(retired);
    }
  }

  /** Drops one reference; the last one out closes the Victim. */
  private void release(Slot slot) {
    boolean last;
    synchronized (lock) {
      slot.references--;
      last = slot.references == 0;
    }
    if (last) {
      log.info("closing retired Victim {} v{}", slot.victim.modelId(), slot.victim.version());
      closeQuietly(slot.victim);
    }
  }

  private static void closeQuietly(Victim victim) {
    try {
      victim.close();
    } catch (RuntimeException e) {
      log.warn("closing Victim {} v{} failed", victim.modelId(), victim.version(), e);
    }
  }

  /** One installed version and how many holders it has: the registry itself plus open leases. */
  private static final class Slot {
    final Victim victim;
    int references = 1;

    Slot(Victim victim) {
      this.victim = victim;
    }
  }

  private final class Lease implements VictimLease {
    private final Slot slot;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(Slot slot) {
      this.slot = slot;
    }

    @Override
    public Victim victim() {
      if (released.get()) {
        throw new IllegalStateException("lease on Victim " + slot.victim.modelId() + " v"
            + slot.victim.version() + " was already closed");
      }
      return slot.victim;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release(slot);
      }
    }
  }
}

package dev.sieve.model.training;

import java.util.concurrent.locks.ReentrantLock;

/**
 * DJL's PyTorch engine allows only one GradientCollector to collect at a time in a JVM. The
 * Victim updater and the Beneficiary trainer may share a JVM (the demo), so every training step
 * holds this lock from the collector's creation to the optimizer step.
 */
public final class GradientLock {

  private static final ReentrantLock LOCK = new ReentrantLock(true);

  private GradientLock() {}

  public static void lock() {
    LOCK.lock();
  }

  public static void unlock() {
    LOCK.unlock();
  }
}

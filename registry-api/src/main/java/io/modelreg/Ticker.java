package io.modelreg;

import java.time.Duration;

/**
 * Elapsed time and waiting, for timeouts, retry back-off and poll intervals. The registry and the stores
 * shipped with it take both from here, never from {@link System#nanoTime} or {@link Thread#sleep}, so a
 * test can pass a fake whose {@link #sleep} only moves its time forward. Wall-clock time (timestamps, cache
 * ages) comes from {@link RegistryOptions#clock()} instead.
 *
 * <p>Set it with {@link RegistryOptions.Builder#ticker}; the default is {@link #system()}.
 */
public interface Ticker {

  /** Nanoseconds elapsed from some fixed but arbitrary origin; only differences mean anything. */
  long nanoTime();

  /**
   * Waits for {@code duration} (returns at once when it is not positive).
   *
   * @throws InterruptedException if the thread is interrupted while it waits
   */
  void sleep(Duration duration) throws InterruptedException;

  /** {@link System#nanoTime()} and {@link Thread#sleep}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}

package io.modelreg;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The pause between compare-and-set retries: none the first time, then a random pause growing to 50 ms, so
 * clients racing on a remote store (another process holding the next revision for a few round trips) stop
 * re-reading in lockstep. Time and randomness are injected, so tests see the pauses without waiting.
 */
final class Backoff {
  static final long MAX_PAUSE_MILLIS = 50;

  private final Ticker ticker;
  private final RandomGenerator random;

  Backoff(Ticker ticker, RandomGenerator random) {
    this.ticker = ticker;
    this.random = random;
  }

  /** The pause after failed attempt {@code attempt} (1-based): zero for the first, else 1 ms to 2^attempt ms, at most 50. */
  Duration pauseAfter(int attempt) {
    if (attempt < 2) {
      return Duration.ZERO;
    }
    long bound = Math.min(MAX_PAUSE_MILLIS, 1L << Math.min(attempt, 6));
    return Duration.ofMillis(random.nextLong(1, bound + 1));
  }

  /**
   * Waits before the next attempt.
   *
   * @throws TransientRegistryException if the thread is interrupted meanwhile (its interrupt flag is kept)
   */
  void pause(int attempt) {
    Duration pause = pauseAfter(attempt);
    if (pause.isZero()) {
      Thread.onSpinWait();
      return;
    }
    try {
      ticker.sleep(pause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientRegistryException("Interrupted while waiting to retry a write", e);
    }
  }
}

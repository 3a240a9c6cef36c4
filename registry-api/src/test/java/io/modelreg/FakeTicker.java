package io.modelreg;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link Ticker} for tests: its time moves only when someone sleeps on it, and it remembers every sleep. */
final class FakeTicker implements Ticker {
  private long nanos;
  private final List<Duration> sleeps = new ArrayList<>();

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before sleeping " + duration);
    }
    sleeps.add(duration);
    nanos += duration.toNanos();
  }

  synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }
}

package io.modelreg.inference.pool;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests, errors and the latencies of the most recent 8,192 requests of one version or arm; quantiles
 * are computed from that window when a snapshot is taken.
 */
final class LatencyStats {
  private static final int WINDOW = 8192;
  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final long[] window = new long[WINDOW];
  private long next;

  void record(long nanos, boolean failed) {
    requests.increment();
    if (failed) {
      errors.increment();
    }
    synchronized (window) {
      window[(int) (next++ % WINDOW)] = nanos;
    }
  }

  /**
   * A copy of the figures.
   *
   * @param requests requests served or failed
   * @param errors requests that failed
   * @param p50Micros median latency in microseconds over the window (0 without requests)
   * @param p95Micros 95th percentile
   * @param p99Micros 99th percentile
   */
  record Snapshot(long requests, long errors, double p50Micros, double p95Micros, double p99Micros) {}

  Snapshot snapshot() {
    long[] copy;
    synchronized (window) {
      copy = Arrays.copyOf(window, (int) Math.min(next, WINDOW));
    }
    Arrays.sort(copy);
    return new Snapshot(requests.sum(), errors.sum(), quantile(copy, 0.50), quantile(copy, 0.95), quantile(copy, 0.99));
  }

  /** Nearest-rank quantile in microseconds. */
  private static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1000.0;
  }
}

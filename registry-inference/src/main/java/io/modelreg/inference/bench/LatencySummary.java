package io.modelreg.inference.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The distribution of measured call times, in nanoseconds, with the error of each figure stated.
 *
 * <p>Definitions (chosen so that every reported percentile is a time that was actually measured):
 * <ul>
 *   <li>the q-quantile is the nearest-rank order statistic, the {@code ceil(q·n)}-th smallest time;
 *   <li>its 95 % confidence interval is distribution-free: the order statistics of ranks
 *       {@code floor(n·q − z·s)} and {@code ceil(n·q + z·s) + 1} with {@code s = sqrt(n·q·(1 − q))} and
 *       {@code z = 1.96} (the normal approximation to the binomial count of times below the true quantile),
 *       clamped to the smallest and largest time — so a p99 from few calls honestly reaches up to the maximum;
 *   <li>the mean's error is its standard error, {@code sd / sqrt(n)}, and its 95 % interval ±1.96 of it;
 *   <li>throughput is rows per call times calls over the summed call time.
 * </ul>
 * Two runs of the same benchmark agree within their stated error when their intervals overlap.
 */
public final class LatencySummary {
  /** The normal quantile for two-sided 95 % intervals. */
  static final double Z95 = 1.959963984540054;

  private final long[] sorted;
  private final double mean;
  private final double standardError;
  private final long total;

  private LatencySummary(long[] sorted) {
    this.sorted = sorted;
    long sum = 0;
    for (long t : sorted) {
      sum = Math.addExact(sum, t);
    }
    this.total = sum;
    this.mean = (double) sum / sorted.length;
    double ss = 0;
    for (long t : sorted) {
      ss += (t - mean) * (t - mean);
    }
    this.standardError = sorted.length < 2 ? Double.NaN : Math.sqrt(ss / (sorted.length - 1) / sorted.length);
  }

  /**
   * Summarises call times.
   *
   * @param nanos one time per measured call, in nanoseconds, not negative
   * @throws IllegalArgumentException when there are no times or one is negative
   */
  public static LatencySummary of(long[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("No call times to summarise: measure at least one call");
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    if (sorted[0] < 0) {
      throw new IllegalArgumentException("Call times cannot be negative, got " + sorted[0] + " ns");
    }
    return new LatencySummary(sorted);
  }

  /** How many calls were measured. */
  public int count() {
    return sorted.length;
  }

  /**
   * The nearest-rank q-quantile, in nanoseconds.
   *
   * @throws IllegalArgumentException when q is not in (0, 1]
   */
  public long quantile(double q) {
    checkQ(q);
    return sorted[rank(Math.ceil(q * sorted.length)) - 1];
  }

  /**
   * The 95 % confidence interval of the q-quantile, in nanoseconds (see the class comment).
   *
   * @throws IllegalArgumentException when q is not in (0, 1)
   */
  public Interval quantileInterval(double q) {
    if (!(q > 0 && q < 1)) {
      throw new IllegalArgumentException("A quantile interval needs 0 < q < 1, got " + q);
    }
    int n = sorted.length;
    double s = Math.sqrt(n * q * (1 - q));
    int low = rank(Math.floor(n * q - Z95 * s));
    int high = rank(Math.ceil(n * q + Z95 * s) + 1);
    return new Interval(sorted[low - 1], sorted[high - 1]);
  }

  private int rank(double r) {
    return (int) Math.max(1, Math.min(sorted.length, r));
  }

  private static void checkQ(double q) {
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("A quantile needs 0 < q <= 1, got " + q);
    }
  }

  /** The smallest time, in nanoseconds. */
  public long min() {
    return sorted[0];
  }

  /** The largest time, in nanoseconds. */
  public long max() {
    return sorted[sorted.length - 1];
  }

  /** The mean time, in nanoseconds. */
  public double mean() {
    return mean;
  }

  /** The standard error of the mean, in nanoseconds; NaN with one call. */
  public double meanStandardError() {
    return standardError;
  }

  /** All measured time, in nanoseconds. */
  public long totalNanos() {
    return total;
  }

  /**
   * Rows per second when each call handled {@code rowsPerCall} rows.
   *
   * @throws IllegalArgumentException when rowsPerCall is not positive
   */
  public double rowsPerSecond(int rowsPerCall) {
    if (rowsPerCall < 1) {
      throw new IllegalArgumentException("Rows per call must be at least 1, got " + rowsPerCall);
    }
    return total == 0 ? Double.POSITIVE_INFINITY : (double) rowsPerCall * sorted.length * 1e9 / total;
  }

  /**
   * A closed interval of times, in nanoseconds.
   *
   * @param low the lower bound
   * @param high the upper bound
   */
  public record Interval(long low, long high) {
    /** Whether this interval and {@code other} share at least one time. */
    public boolean overlaps(Interval other) {
      return low <= other.high && other.low <= high;
    }

    /** Whether {@code t} lies inside. */
    public boolean contains(double t) {
      return low <= t && t <= high;
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "n=%d p50=%dns p95=%dns p99=%dns max=%dns mean=%.0f±%.0fns", count(), quantile(0.5),
        quantile(0.95), quantile(0.99), max(), mean, Z95 * standardError);
  }
}

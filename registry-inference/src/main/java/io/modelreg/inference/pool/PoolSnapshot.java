package io.modelreg.inference.pool;

import java.util.Map;

/**
 * The pool's figures at one moment.
 *
 * @param budgetBytes the memory budget
 * @param bytesInUse bytes accounted to loaded models
 * @param loadedModels models loaded now
 * @param loads models loaded since the pool started
 * @param evictions models unloaded to make room, by keep-alive, or after a switch
 * @param hits requests that found their model loaded
 * @param misses requests that had to wait for a load
 * @param waiting requests waiting for room now
 * @param waited requests that waited for room since the pool started
 * @param refused requests refused since the pool started because their deadline passed or the queue was full
 * @param untrustedMeasurements size measurements discarded because a model was unloaded while they ran
 * @param versions per version ({@code name/number}): requests, errors, latency quantiles
 * @param arms per requested URI (the arms of a split): requests, errors, latency quantiles
 */
public record PoolSnapshot(long budgetBytes, long bytesInUse, int loadedModels, long loads, long evictions, long hits,
    long misses, int waiting, long waited, long refused, long untrustedMeasurements, Map<String, Stats> versions,
    Map<String, Stats> arms) {

  /**
   * Figures of one version or arm.
   *
   * @param requests requests
   * @param errors failed requests
   * @param p50Micros median latency, microseconds
   * @param p95Micros 95th percentile
   * @param p99Micros 99th percentile
   */
  public record Stats(long requests, long errors, double p50Micros, double p95Micros, double p99Micros) {}

  /** Hits over all requests that reached a model; 0 before any. */
  public double hitRate() {
    return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
  }
}

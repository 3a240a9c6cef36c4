package io.modelreg;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One measured run of metrics on a model version, recorded after registration: a benchmark, an
 * evaluation on fresh data, latency measured in serving.
 *
 * <p>{@code conditions} say what the numbers were measured under, as data rather than prose: the machine,
 * the JDK, the digest of the input file, the settings of the run ({@code cpu}, {@code jdk},
 * {@code input.sha256}, {@code batch_sizes}, …). {@link Comparison} reports where two versions' runs were
 * measured under different conditions, so latencies taken on a laptop are not silently pitted against
 * latencies taken on a server. Records written before conditions existed read back with none.
 *
 * @param runId an id for the measuring run (test-run id, CI job, pool snapshot)
 * @param time when the values were measured
 * @param values metric name to value; values are finite
 * @param notes free text, may be empty
 * @param conditions what the values were measured under, key to value; keys follow the metric key rules,
 *     values the tag value rules; may be empty
 */
public record MetricRecord(
    String runId, Instant time, Map<String, Double> values, String notes, Map<String, String> conditions) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when the run id is blank, there are no values, a metric key or value is
   *     invalid (see {@link Names#checkMetric}), or a condition key or value is invalid
   */
  public MetricRecord {
    if (runId.isBlank()) {
      throw new IllegalArgumentException("A metric record needs a run id");
    }
    if (values.isEmpty()) {
      throw new IllegalArgumentException("A metric record needs at least one value");
    }
    values.forEach(Names::checkMetric);
    values = Collections.unmodifiableMap(new TreeMap<>(values));
    conditions.forEach((k, v) -> Names.checkValue("condition", Names.checkKey("condition", k), v));
    conditions = Collections.unmodifiableMap(new TreeMap<>(conditions));
  }

  /** A run without recorded conditions (the shape of records before conditions existed). */
  public MetricRecord(String runId, Instant time, Map<String, Double> values, String notes) {
    this(runId, time, values, notes, Map.of());
  }
}

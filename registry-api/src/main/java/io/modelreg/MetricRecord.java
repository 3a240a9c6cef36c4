package io.modelreg;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One measured run of metrics on a model version, recorded after registration: a benchmark, an
 * evaluation on fresh data, latency measured in serving.
 *
 * @param runId an id for the measuring run (test-run id, CI job, pool snapshot)
 * @param time when the values were measured
 * @param values metric name to value; values are finite
 * @param notes free text, may be empty
 */
public record MetricRecord(String runId, Instant time, Map<String, Double> values, String notes) {
  public MetricRecord {
    if (runId.isBlank()) {
      throw new IllegalArgumentException("A metric record needs a run id");
    }
    if (values.isEmpty()) {
      throw new IllegalArgumentException("A metric record needs at least one value");
    }
    values.forEach(Names::checkMetric);
    values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
  }
}

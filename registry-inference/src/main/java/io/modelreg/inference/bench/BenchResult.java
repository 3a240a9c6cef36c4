package io.modelreg.inference.bench;

import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Bench} measured: per version, the latency of each batch size and the quality metrics, and the
 * conditions of the whole run.
 *
 * <p>As metric values ({@link #metrics}), with {@code bN} the batch size ({@code b1} is the single-row path):
 * {@code latency.bN.p50_ms}, {@code .p90_ms}, {@code .p95_ms}, {@code .p99_ms}, {@code .min_ms},
 * {@code .max_ms}, {@code .mean_ms} (per call), {@code latency.bN.p50_err_ms} / {@code .p99_err_ms} (the larger
 * distance from the percentile to an end of its 95 % interval), {@code latency.bN.calls}, and
 * {@code throughput.bN.rows_per_s}; quality as {@code accuracy}, {@code log_loss}, {@code auc},
 * {@code rmse}, {@code mae} — the names registration metrics use, so promotion gates and {@code compare} see them.
 */
public final class BenchResult {
  private final List<Version> versions;
  private final Map<String, String> conditions;

  /**
   * One version's results.
   *
   * @param name the model URI as given
   * @param version the registry version, or null for a model outside a registry
   * @param latency by batch size, ascending
   * @param quality quality metrics; empty without labels
   */
  public record Version(String name, @Nullable ModelVersion version, Map<Integer, LatencySummary> latency,
      Map<String, Double> quality) {
    public Version {
      latency = Collections.unmodifiableMap(new LinkedHashMap<>(latency));
      quality = Collections.unmodifiableMap(new LinkedHashMap<>(quality));
    }
  }

  BenchResult(List<Version> versions, Map<String, String> conditions) {
    this.versions = List.copyOf(versions);
    this.conditions = Collections.unmodifiableMap(new LinkedHashMap<>(conditions));
  }

  /** Each version's results, in the order the versions were given. */
  public List<Version> versions() {
    return versions;
  }

  /** The conditions of the run: machine, JDK, input digest and settings. */
  public Map<String, String> conditions() {
    return conditions;
  }

  /** One version's results as metric values (names in the class comment). */
  public static Map<String, Double> metrics(Version v) {
    Map<String, Double> out = new LinkedHashMap<>();
    v.latency().forEach((size, s) -> {
      String p = "latency.b" + size + ".";
      out.put(p + "p50_ms", ms(s.quantile(0.50)));
      out.put(p + "p90_ms", ms(s.quantile(0.90)));
      out.put(p + "p95_ms", ms(s.quantile(0.95)));
      out.put(p + "p99_ms", ms(s.quantile(0.99)));
      out.put(p + "min_ms", ms(s.min()));
      out.put(p + "max_ms", ms(s.max()));
      out.put(p + "mean_ms", s.mean() / 1e6);
      out.put(p + "p50_err_ms", err(s, 0.50));
      out.put(p + "p99_err_ms", err(s, 0.99));
      out.put(p + "calls", (double) s.count());
      double throughput = s.rowsPerSecond(size);
      if (Double.isFinite(throughput)) {
        out.put("throughput.b" + size + ".rows_per_s", throughput);
      }
    });
    out.putAll(v.quality());
    return out;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static double err(LatencySummary s, double q) {
    long at = s.quantile(q);
    LatencySummary.Interval i = s.quantileInterval(q);
    return Math.max(at - i.low(), i.high() - at) / 1e6;
  }

  /**
   * Records each registry version's results as one metric run with this run's conditions; versions outside a
   * registry are skipped. Returns the versions as recorded.
   *
   * @param runId the run id every record gets (one id per bench run, so the records can be found together)
   */
  public List<ModelVersion> record(ModelRegistry registry, String runId, Instant time) {
    List<ModelVersion> recorded = new ArrayList<>();
    for (Version v : versions) {
      ModelVersion mv = v.version();
      if (mv != null) {
        recorded.add(registry.recordMetrics(mv.name(), mv.number(),
            new MetricRecord(runId, time, metrics(v), "modelreg bench", conditions)));
      }
    }
    return recorded;
  }
}

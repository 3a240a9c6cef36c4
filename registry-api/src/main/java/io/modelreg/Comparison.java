package io.modelreg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * How two model versions differ: metric by metric (with a significance test where there are repeated
 * measurements), in parameters, in signature, and whether their artifacts are identical.
 *
 * <p>The samples of a metric are the registration value (if any) followed by every recorded metric run
 * that has it. With at least two samples on each side, Welch's t-test gives a two-sided p-value, and a
 * winner's confidence is {@code 1 - p}. With fewer samples the winner is decided by the mean alone and
 * the confidence is unknown.
 *
 * <p>Measurements are only comparable when they were taken under the same conditions. For each metric,
 * {@link #conditionDifferences()} compares the {@linkplain MetricRecord#conditions() conditions} of the
 * newest run of each version that measured it (machine, JDK, input digest, settings) and names every key
 * whose value differs, or that only one side recorded. Values given at registration carry no conditions;
 * a metric neither side measured in a run with conditions has no differences to report.
 */
public final class Comparison {
  private final ModelVersion a;
  private final ModelVersion b;
  private final Map<String, MetricDelta> metrics;
  private final Map<String, ParamChange> params;
  private final List<String> signatureDifferences;
  private final Map<String, Map<String, ParamChange>> conditionDifferences;

  /**
   * The comparison of one metric.
   *
   * @param metric the metric name
   * @param samplesA the samples of version a (possibly empty)
   * @param samplesB the samples of version b (possibly empty)
   * @param meanA the mean of a, or null without samples
   * @param meanB the mean of b, or null without samples
   * @param delta {@code meanB - meanA}, or null when either is missing
   * @param pValue Welch's two-sided p-value, or null with fewer than two samples on a side
   */
  public record MetricDelta(
      String metric,
      List<Double> samplesA,
      List<Double> samplesB,
      @Nullable Double meanA,
      @Nullable Double meanB,
      @Nullable Double delta,
      @Nullable Double pValue) {
    public MetricDelta {
      samplesA = List.copyOf(samplesA);
      samplesB = List.copyOf(samplesB);
    }
  }

  /**
   * A parameter (or measurement condition) that differs.
   *
   * @param a its value on version a, or null if absent
   * @param b its value on version b, or null if absent
   */
  public record ParamChange(@Nullable String a, @Nullable String b) {}

  /**
   * The better version by one metric.
   *
   * @param winner the better version
   * @param metric the deciding metric
   * @param delta how much better, in the metric's unit (always non-negative)
   * @param confidence {@code 1 - p} of Welch's test, or null when there were too few samples
   */
  public record Verdict(ModelVersion winner, String metric, double delta, @Nullable Double confidence) {}

  private Comparison(ModelVersion a, ModelVersion b) {
    this.a = a;
    this.b = b;
    Set<String> names = new TreeSet<>(a.latestMetrics().keySet());
    names.addAll(b.latestMetrics().keySet());
    Map<String, MetricDelta> m = new TreeMap<>();
    for (String name : names) {
      m.put(name, delta(name, samples(a, name), samples(b, name)));
    }
    this.metrics = Collections.unmodifiableMap(m);
    Map<String, Map<String, ParamChange>> c = new TreeMap<>();
    for (String name : names) {
      Map<String, ParamChange> diff = changes(conditions(a, name), conditions(b, name));
      if (!diff.isEmpty()) {
        c.put(name, diff);
      }
    }
    this.conditionDifferences = Collections.unmodifiableMap(c);
    this.params = changes(a.params(), b.params());
    Signature sa = a.signature().orElse(new Signature(List.of(), List.of()));
    Signature sb = b.signature().orElse(new Signature(List.of(), List.of()));
    this.signatureDifferences = List.copyOf(sa.differences(sb));
  }

  /** Compares {@code a} (the baseline) with {@code b} (the candidate). */
  public static Comparison of(ModelVersion a, ModelVersion b) {
    return new Comparison(a, b);
  }

  /** The keys whose values differ between {@code a} and {@code b} (absent on one side counts), sorted. */
  private static Map<String, ParamChange> changes(Map<String, String> a, Map<String, String> b) {
    Map<String, ParamChange> out = new TreeMap<>();
    Set<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String k : keys) {
      String va = a.get(k);
      String vb = b.get(k);
      if (va == null ? vb != null : !va.equals(vb)) {
        out.put(k, new ParamChange(va, vb));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The conditions of the newest run of {@code v} that measured {@code metric}; empty when there is none. */
  private static Map<String, String> conditions(ModelVersion v, String metric) {
    List<MetricRecord> runs = v.metricRuns();
    for (int i = runs.size() - 1; i >= 0; i--) {
      if (runs.get(i).values().containsKey(metric)) {
        return runs.get(i).conditions();
      }
    }
    return Map.of();
  }

  private static List<Double> samples(ModelVersion v, String metric) {
    List<Double> out = new ArrayList<>();
    Double reg = v.metrics().get(metric);
    if (reg != null) {
      out.add(reg);
    }
    for (MetricRecord run : v.metricRuns()) {
      Double x = run.values().get(metric);
      if (x != null) {
        out.add(x);
      }
    }
    return out;
  }

  private static MetricDelta delta(String metric, List<Double> sa, List<Double> sb) {
    Double meanA = sa.isEmpty() ? null : Statistics.mean(toArray(sa));
    Double meanB = sb.isEmpty() ? null : Statistics.mean(toArray(sb));
    Double delta = meanA == null || meanB == null ? null : meanB - meanA;
    Double p = sa.size() >= 2 && sb.size() >= 2 ? Statistics.welchPValue(toArray(sa), toArray(sb)) : null;
    return new MetricDelta(metric, sa, sb, meanA, meanB, delta, p);
  }

  private static double[] toArray(List<Double> xs) {
    double[] out = new double[xs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = xs.get(i);
    }
    return out;
  }

  public ModelVersion a() {
    return a;
  }

  public ModelVersion b() {
    return b;
  }

  /** Every metric either version has, by name. */
  public Map<String, MetricDelta> metrics() {
    return metrics;
  }

  /** Parameters whose values differ, by key. */
  public Map<String, ParamChange> paramChanges() {
    return params;
  }

  /** Signature differences from a to b; empty when equal. */
  public List<String> signatureDifferences() {
    return signatureDifferences;
  }

  /**
   * Per metric, the measurement conditions that differ between the newest run of a and of b that measured
   * it: condition key to its value on each side (null where that side did not record it). Metrics measured
   * under the same conditions, or without recorded conditions on either side, are absent.
   */
  public Map<String, Map<String, ParamChange>> conditionDifferences() {
    return conditionDifferences;
  }

  /** Whether {@code metric} was last measured under the same recorded conditions on both versions. */
  public boolean sameConditions(String metric) {
    return !conditionDifferences.containsKey(metric);
  }

  /** Whether both versions have the same artifact digest (identical files). */
  public boolean sameArtifacts() {
    return a.digest().equals(b.digest());
  }

  /**
   * The better version by {@code metric}; empty when either version lacks the metric or the means are
   * equal.
   *
   * @param higherIsBetter true for accuracy-like metrics, false for loss or latency
   */
  public Optional<Verdict> winner(String metric, boolean higherIsBetter) {
    MetricDelta d = metrics.get(metric);
    if (d == null || d.delta() == null || d.delta() == 0) {
      return Optional.empty();
    }
    double delta = d.delta();
    boolean bWins = higherIsBetter ? delta > 0 : delta < 0;
    Double confidence = d.pValue() == null ? null : 1 - d.pValue();
    return Optional.of(new Verdict(bWins ? b : a, metric, Math.abs(delta), confidence));
  }

  @Override
  public String toString() {
    return "Comparison{" + a.uri() + " vs " + b.uri() + ", metrics=" + metrics.keySet() + ", params="
        + params.keySet() + ", signature=" + signatureDifferences + "}";
  }
}

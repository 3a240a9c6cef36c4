package io.modelreg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Predicate;

/**
 * A gate on stage transitions, configured per target stage with {@link
 * RegistryOptions.Builder#promotionPolicy}. A refused promotion throws {@link
 * PromotionRejectedException} listing every violation of every rule.
 *
 * <pre>{@code
 * PromotionPolicy gate = PromotionPolicy.metricAtLeast("accuracy", 0.85)
 *     .and(PromotionPolicy.metricAtMost("latency_p99_ms", 20))
 *     .and(PromotionPolicy.gate("approved by a reviewer", r -> r.version().tags().containsKey("approved_by")));
 * }</pre>
 *
 * Metric rules read the version's current value ({@link ModelVersion#latestMetric}); a missing metric
 * is a violation.
 */
@FunctionalInterface
public interface PromotionPolicy {

  /** Every rule the request violates, as sentences; empty when the request passes. */
  List<String> violations(PromotionRequest request);

  /** A policy that allows everything. */
  static PromotionPolicy allowAll() {
    return request -> List.of();
  }

  /** Requires {@code metric >= threshold}. */
  static PromotionPolicy metricAtLeast(String metric, double threshold) {
    Names.checkKey("metric", metric);
    return request -> check(request, metric, threshold, true);
  }

  /** Requires {@code metric <= threshold}. */
  static PromotionPolicy metricAtMost(String metric, double threshold) {
    Names.checkKey("metric", metric);
    return request -> check(request, metric, threshold, false);
  }

  private static List<String> check(PromotionRequest request, String metric, double threshold, boolean atLeast) {
    OptionalDouble value = request.version().latestMetric(metric);
    String rule = metric + (atLeast ? " >= " : " <= ") + fmt(threshold);
    if (value.isEmpty()) {
      return List.of(rule + " is required but version " + request.version().number() + " has no metric '"
          + metric + "'");
    }
    double v = value.getAsDouble();
    boolean ok = atLeast ? v >= threshold : v <= threshold;
    return ok ? List.of() : List.of(rule + " is required but " + metric + " = " + fmt(v));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%s", v);
  }

  /**
   * A custom gate, for example an approval hook: {@code description} is the rule as a sentence, reported
   * when {@code allowed} answers false.
   */
  static PromotionPolicy gate(String description, Predicate<PromotionRequest> allowed) {
    return request -> allowed.test(request) ? List.of() : List.of(description);
  }

  /** Both this policy and {@code other}; the violations of both are reported. */
  default PromotionPolicy and(PromotionPolicy other) {
    PromotionPolicy self = this;
    return request -> {
      List<String> out = new ArrayList<>(self.violations(request));
      out.addAll(other.violations(request));
      return out;
    };
  }
}

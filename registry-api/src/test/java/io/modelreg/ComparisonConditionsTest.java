package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Measurement conditions on metric runs, and how a comparison reports runs measured under different ones. */
class ComparisonConditionsTest {
  private static final ArtifactManifest MANIFEST =
      ArtifactManifest.of(List.of(new ArtifactEntry("model.onnx", 3, Digest.of(new byte[] {1, 2, 3}))));
  private static final Map<String, String> SERVER = Map.of("cpu", "AMD EPYC 7B13", "jdk", "17.0.13", "input.sha256", "ab12");

  private static ModelVersion version(int number, MetricRecord... runs) {
    return ModelVersion.builder().name("churn").number(number).manifest(MANIFEST).metrics(Map.of("accuracy", 0.9))
        .metricRuns(List.of(runs)).build();
  }

  private static MetricRecord run(String id, Map<String, Double> values, Map<String, String> conditions) {
    return new MetricRecord(id, Instant.EPOCH, values, "", conditions);
  }

  @Test
  void theOldConstructorMakesARunWithoutConditions() {
    MetricRecord old = new MetricRecord("r", Instant.EPOCH, Map.of("a", 1.0), "n");
    assertThat(old.conditions()).isEmpty();
    assertThat(old).isEqualTo(new MetricRecord("r", Instant.EPOCH, Map.of("a", 1.0), "n", Map.of()));
    assertThat(old).isNotEqualTo(new MetricRecord("r", Instant.EPOCH, Map.of("a", 1.0), "n", Map.of("jdk", "17")));
  }

  @Test
  void conditionKeysAndValuesAreCheckedLikeMetricKeysAndTagValues() {
    assertThatThrownBy(() -> run("r", Map.of("a", 1.0), Map.of("bad key!", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid condition key 'bad key!'");
    assertThatThrownBy(() -> run("r", Map.of("a", 1.0), Map.of("jdk", "17\u0000")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("condition 'jdk' contains control character U+0000");
    assertThat(run("r", Map.of("a", 1.0), Map.of("z", "1", "a", "2")).conditions().keySet()).containsExactly("a", "z");
  }

  @Test
  void runsMeasuredUnderTheSameConditionsHaveNoDifferences() {
    ModelVersion a = version(1, run("bench-1", Map.of("p50_ms", 1.0), SERVER));
    ModelVersion b = version(2, run("bench-1", Map.of("p50_ms", 0.8), SERVER));
    Comparison c = Comparison.of(a, b);
    assertThat(c.conditionDifferences()).isEmpty();
    assertThat(c.sameConditions("p50_ms")).isTrue();
  }

  @Test
  void aDifferentMachineOrInputIsNamedPerMetricWithBothValues() {
    Map<String, String> laptop = Map.of("cpu", "Apple M3", "jdk", "17.0.13", "input.sha256", "cd34");
    ModelVersion a = version(1, run("bench-1", Map.of("p50_ms", 1.0, "accuracy", 0.91), SERVER));
    ModelVersion b = version(2, run("bench-2", Map.of("p50_ms", 0.8, "accuracy", 0.93), laptop));
    Comparison c = Comparison.of(a, b);
    assertThat(c.conditionDifferences().keySet()).containsExactly("accuracy", "p50_ms");
    assertThat(c.conditionDifferences().get("p50_ms")).containsExactly(
        Map.entry("cpu", new Comparison.ParamChange("AMD EPYC 7B13", "Apple M3")),
        Map.entry("input.sha256", new Comparison.ParamChange("ab12", "cd34")));
    assertThat(c.sameConditions("p50_ms")).isFalse();
  }

  @Test
  void theNewestRunThatMeasuredTheMetricDecides() {
    Map<String, String> otherJdk = Map.of("cpu", "AMD EPYC 7B13", "jdk", "21.0.5", "input.sha256", "ab12");
    // a was benchmarked on JDK 21 long ago and again on 17; a later evaluation without latency does not count
    ModelVersion a = version(1, run("old", Map.of("p50_ms", 1.2), otherJdk), run("new", Map.of("p50_ms", 1.0), SERVER),
        run("eval", Map.of("recall", 0.7), Map.of()));
    ModelVersion b = version(2, run("new", Map.of("p50_ms", 0.9), SERVER));
    assertThat(Comparison.of(a, b).sameConditions("p50_ms")).isTrue();
    ModelVersion onlyOld = version(3, run("old", Map.of("p50_ms", 1.2), otherJdk));
    assertThat(Comparison.of(onlyOld, b).conditionDifferences().get("p50_ms"))
        .containsExactly(Map.entry("jdk", new Comparison.ParamChange("21.0.5", "17.0.13")));
  }

  @Test
  void aSideWithoutRecordedConditionsDiffersInEveryKeyTheOtherRecorded() {
    ModelVersion legacy = version(1, new MetricRecord("bench", Instant.EPOCH, Map.of("p50_ms", 1.0), ""));
    ModelVersion measured = version(2, run("bench", Map.of("p50_ms", 0.8), Map.of("jdk", "17.0.13")));
    assertThat(Comparison.of(legacy, measured).conditionDifferences().get("p50_ms"))
        .containsExactly(Map.entry("jdk", new Comparison.ParamChange(null, "17.0.13")));
    // registration values carry no conditions on either side: nothing is known to differ
    assertThat(Comparison.of(version(3), version(4)).conditionDifferences()).isEmpty();
  }
}

package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelVersionTest {
  private static final ArtifactManifest MANIFEST =
      ArtifactManifest.of(List.of(new ArtifactEntry("model.onnx", 3, Digest.of(new byte[] {1, 2, 3}))));

  @Test
  void builderMakesASnapshotForTests() {
    ModelVersion v = ModelVersion.builder().name("churn").number(4).manifest(MANIFEST)
        .semver(SemanticVersion.parse("1.2.0")).stage(Stage.PRODUCTION).aliases(List.of("champion", "production"))
        .metrics(Map.of("accuracy", 0.9)).created(Instant.parse("2026-01-01T00:00:00Z"), "ci").build();
    assertThat(v.uri()).hasToString("models:/churn/4");
    assertThat(v.digest()).isEqualTo(MANIFEST.digest());
    assertThat(v.latestMetric("accuracy").getAsDouble()).isEqualTo(0.9);
    assertThat(v.createdBy()).isEqualTo("ci");
    ModelVersion archived = v.toBuilder().stage(Stage.ARCHIVED).aliases(List.of()).build();
    assertThat(archived.stage()).isEqualTo(Stage.ARCHIVED);
    assertThat(archived.record()).isSameAs(v.record());
    assertThat(v.toBuilder().number(5).build().number()).isEqualTo(5);
  }

  @Test
  void builderNeedsNameNumberAndManifest() {
    assertThatThrownBy(() -> ModelVersion.builder().name("m").build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ModelVersion.builder().number(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void latestMetricPrefersTheNewestRun() {
    ModelVersion v = ModelVersion.builder().name("m").number(1).manifest(MANIFEST).metrics(Map.of("a", 1.0))
        .metricRuns(List.of(new MetricRecord("r1", Instant.EPOCH, Map.of("a", 2.0), ""),
            new MetricRecord("r2", Instant.EPOCH, Map.of("b", 5.0), "")))
        .build();
    assertThat(v.latestMetric("a").getAsDouble()).isEqualTo(2.0);
    assertThat(v.latestMetrics()).containsEntry("a", 2.0).containsEntry("b", 5.0);
    assertThat(v.latestMetric("c")).isEmpty();
  }
}

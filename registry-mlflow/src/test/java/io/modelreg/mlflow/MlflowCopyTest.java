package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.CopyReport;
import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code file:} → {@code mlflow:} → {@code file:}: a model comes back with the same bytes and metadata. */
class MlflowCopyTest extends StandInServerTest {
  @Test
  void aModelRoundTripsThroughMlflow(@TempDir Path dir) {
    try (ModelRegistry laptop = ModelRegistries.open(dir.resolve("a").toUri());
        ModelRegistry shared = ModelRegistries.open(server.uri());
        ModelRegistry back = ModelRegistries.open(dir.resolve("b").toUri())) {
      laptop.createModel("fraud", "card fraud", Map.of("owner", "risk"));
      laptop.register("fraud", Registration.builder().bytes("model.onnx", "w1".getBytes(StandardCharsets.UTF_8))
          .semver("0.1.0").metric("f1", 0.7).build());
      laptop.register("fraud", Registration.builder().bytes("model.onnx", "w2".getBytes(StandardCharsets.UTF_8))
          .bytes("MLmodel", "flavors: {}".getBytes(StandardCharsets.UTF_8)).semver("0.2.0").metric("f1", 0.8).build());
      laptop.recordMetrics("fraud", 2, new MetricRecord("nightly", Instant.parse("2026-11-20T03:00:00Z"), Map.of("f1", 0.81), ""));
      laptop.transition("fraud", 2, Stage.STAGING);
      laptop.setAlias("fraud", "candidate", 2);

      CopyReport up = ModelRegistries.copy(laptop, shared, "fraud");
      assertThat(up.numbers()).containsExactly(Map.entry(1, 1), Map.entry(2, 2));
      CopyReport down = ModelRegistries.copy(shared, back, "fraud");
      assertThat(down.numbers()).containsExactly(Map.entry(1, 1), Map.entry(2, 2));

      for (ModelVersion original : laptop.listVersions("fraud")) {
        ModelVersion copy = back.getVersion("fraud", original.number());
        assertThat(copy.digest()).isEqualTo(original.digest());
        assertThat(copy.semver()).isEqualTo(original.semver());
        assertThat(copy.stage()).isEqualTo(original.stage());
        assertThat(copy.metrics()).isEqualTo(original.metrics());
        assertThat(copy.metricRuns()).isEqualTo(original.metricRuns());
      }
      assertThat(back.resolve("models:/fraud@candidate").number()).isEqualTo(2);
      assertThat(back.getModel("fraud").tags()).containsEntry("owner", "risk");
      assertThat(shared.resolve("models:/fraud@candidate").stage()).isEqualTo(Stage.STAGING);
    }
  }
}

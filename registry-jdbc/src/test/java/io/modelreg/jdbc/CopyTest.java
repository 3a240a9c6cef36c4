package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.CopyReport;
import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.Stage;
import io.modelreg.mlflow.FakeMlflowServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ModelRegistries.copy} from {@code file:} to {@code jdbc:} to {@code mlflow:} (the stand-in MLflow server
 * that registry-mlflow's tests replay real answers with) and back through {@code jdbc:} to {@code file:}: the
 * model arrives with the same bytes, digests, semantic versions, stages, metrics, metric runs, tags and aliases.
 */
@ExtendWith(RequiresPostgres.class)
class CopyTest {
  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  @Test
  void aModelTravelsFileToJdbcToMlflowAndBackUnchanged(@TempDir Path dir) throws Exception {
    try (FakeMlflowServer mlflow = new FakeMlflowServer();
         ModelRegistry laptop = ModelRegistries.open(dir.resolve("a").toUri());
         ModelRegistry postgres = ModelRegistries.open(TestDatabase.url(),
             TestDatabase.options(TestDatabase.newSchema("copy")).build());
         ModelRegistry shared = ModelRegistries.open(mlflow.uri());
         ModelRegistry postgresAgain = ModelRegistries.open(TestDatabase.url(),
             TestDatabase.options(TestDatabase.newSchema("copy")).build());
         ModelRegistry back = ModelRegistries.open(dir.resolve("b").toUri())) {
      laptop.createModel("fraud", "card fraud", Map.of("owner", "risk"));
      laptop.register("fraud", Registration.builder().bytes("model.onnx", bytes("w1")).semver("0.1.0")
          .metric("f1", 0.7).tag("data", "2026-10").build());
      laptop.register("fraud", Registration.builder().bytes("model.onnx", bytes("w2"))
          .bytes("MLmodel", bytes("flavors: {}")).semver("0.2.0").metric("f1", 0.8).param("depth", "6").build());
      laptop.register("fraud", Registration.builder().bytes("model.onnx", bytes("w3")).semver("0.3.0")
          .metric("f1", 0.85).build());
      laptop.recordMetrics("fraud", 2, new MetricRecord("nightly", Instant.parse("2026-11-20T03:00:00Z"),
          Map.of("f1", 0.81), "replayed traffic"));
      laptop.transition("fraud", 2, Stage.STAGING);
      laptop.transition("fraud", 2, Stage.PRODUCTION);
      laptop.transition("fraud", 3, Stage.STAGING);
      laptop.setAlias("fraud", "candidate", 3);

      for (ModelRegistry[] hop : List.of(new ModelRegistry[] {laptop, postgres}, new ModelRegistry[] {postgres, shared},
          new ModelRegistry[] {shared, postgresAgain}, new ModelRegistry[] {postgresAgain, back})) {
        CopyReport report = ModelRegistries.copy(hop[0], hop[1], "fraud");
        assertThat(report.numbers()).containsExactly(Map.entry(1, 1), Map.entry(2, 2), Map.entry(3, 3));
      }

      for (ModelRegistry copy : List.of(postgres, shared, postgresAgain, back)) {
        for (ModelVersion original : laptop.listVersions("fraud")) {
          ModelVersion v = copy.getVersion("fraud", original.number());
          assertThat(v.digest()).isEqualTo(original.digest());
          assertThat(v.semver()).isEqualTo(original.semver());
          assertThat(v.stage()).isEqualTo(original.stage());
          assertThat(v.metrics()).isEqualTo(original.metrics());
          assertThat(v.metricRuns()).isEqualTo(original.metricRuns());
          assertThat(v.params()).isEqualTo(original.params());
          assertThat(v.tags()).containsAllEntriesOf(original.tags());
          try (var in = copy.openArtifact(v, "model.onnx"); var expected = laptop.openArtifact(original, "model.onnx")) {
            assertThat(in.readAllBytes()).isEqualTo(expected.readAllBytes());
          }
        }
        assertThat(copy.resolve("models:/fraud@candidate").number()).isEqualTo(3);
        assertThat(copy.resolve("models:/fraud/production").number()).isEqualTo(2);
        assertThat(copy.getModel("fraud").tags()).containsEntry("owner", "risk");
        assertThat(copy.verify().problems()).isEmpty();
      }
      assertThat(mlflow.protocolViolations).isEmpty();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

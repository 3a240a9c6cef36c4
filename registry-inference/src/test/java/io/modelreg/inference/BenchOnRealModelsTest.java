package io.modelreg.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.Registration;
import io.modelreg.inference.bench.Bench;
import io.modelreg.inference.bench.BenchConditions;
import io.modelreg.inference.bench.BenchInput;
import io.modelreg.inference.bench.BenchResult;
import io.modelreg.inference.bench.BenchTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke test on real ONNX models run by ONNX Runtime, timed by the real clock: it runs, every figure is
 * present and finite, and it is recorded. (Timing claims are tested on synthetic timings in BenchTest and
 * LatencySummaryTest; wall time on a shared machine proves nothing.)
 */
class BenchOnRealModelsTest {
  @TempDir Path dir;

  @Test
  void twoTrainedVersionsAreBenchedOnACsvWithLabelsAndRecorded() throws Exception {
    try (ModelRegistry registry = ModelRegistries.open(dir.resolve("registry").toUri())) {
      for (long seed : new long[] {7, 8}) {
        ChurnData.Trained t = ChurnData.train(400, seed);
        Path onnx = dir.resolve("model-" + seed + ".onnx");
        t.saveOnnx(onnx);
        ModelBundle.builder().onnx(onnx).preprocessor(t.preprocessor()).featureOrder(t.featureOrder()).labels(t.labels())
            .build().register(registry, "churn", Registration.builder());
      }
      StringBuilder csv = new StringBuilder("age,income,tenure,plan,churned\n");
      Random noise = new Random(3);
      for (Map<String, Object> row : ChurnData.rows(120, 42)) {
        Object age = row.get("age");
        csv.append(age == null ? "" : age).append(',').append(row.get("income")).append(',').append(row.get("tenure"))
            .append(',').append(row.get("plan")).append(',').append(ChurnData.label(row, noise)).append('\n');
      }
      BenchInput input = BenchInput.read(Files.writeString(dir.resolve("rows.csv"), csv), "churned");
      PredictorOptions options = PredictorOptions.defaults().cacheDirectory(dir.resolve("cache"));
      try (ModelPredictor v1 = ModelPredictor.load(registry, ModelUri.parse("models:/churn/1"), options);
          ModelPredictor v2 = ModelPredictor.load(registry, ModelUri.parse("models:/churn/2"), options)) {
        BenchResult result = Bench.builder(input).target(BenchTarget.of("models:/churn/1", v1))
            .target(BenchTarget.of("models:/churn/2", v2)).batchSizes(List.of(1, 16)).warmupRounds(5).rounds(30)
            .conditions(BenchConditions.machine()).build().run();
        result.record(registry, "bench-smoke", Instant.now());
      }
      for (int n : new int[] {1, 2}) {
        MetricRecord run = registry.getVersion("churn", n).metricRuns().get(0);
        assertThat(run.values()).containsKeys("accuracy", "log_loss", "auc", "latency.b1.p50_ms", "latency.b16.p99_ms",
            "throughput.b16.rows_per_s");
        assertThat(run.values().values()).allSatisfy(x -> assertThat(x).isFinite().isNotNegative());
        assertThat(run.values().get("latency.b1.p50_ms")).isPositive();
        assertThat(run.values().get("accuracy")).isBetween(0.5, 1.0);
        assertThat(run.conditions()).containsKeys("cpu", "cores", "jdk", "os", "input.sha256")
            .containsEntry("input.rows", "120").containsEntry("label", "churned");
      }
    }
  }
}

package io.modelreg.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link ChurnModelBenchmark} through JMH in this JVM with tiny iteration counts, on two versions with
 * different feature sets trained by {@link ChurnTrainer}, so the example cannot rot. Scores are only checked to
 * exist and be finite: nothing here asserts speed.
 */
class ChurnModelBenchmarkTest {
  @TempDir Path dir;

  @Test
  void theTenLineBenchmarkRunsOnTwoVersionsAndTwoBatchSizes() throws Exception {
    List<Map<String, Object>> data = ChurnDataset.generate(600, 4);
    try (ModelRegistry registry = ModelRegistries.open(dir.resolve("registry").toUri())) {
      for (List<String> columns : List.of(List.of("tenure", "tickets", "plan"), List.of("age", "income", "tenure", "tickets", "plan"))) {
        ChurnTrainer.Result r = ChurnTrainer.train(data.subList(0, 500), data.subList(500, 600), columns);
        r.bundle().register(registry, "churn", Registration.builder().metric("accuracy", r.accuracy()));
      }
    }
    StringBuilder csv = new StringBuilder("age,income,tenure,tickets,plan,churned\n");
    for (Map<String, Object> row : data.subList(500, 600)) {
      Object age = row.get("age");
      csv.append(age == null ? "" : age).append(',').append(row.get("income")).append(',').append(row.get("tenure"))
          .append(',').append(row.get("tickets")).append(',').append(row.get("plan")).append(',')
          .append(row.get(ChurnDataset.LABEL)).append('\n');
    }
    Path rows = Files.writeString(dir.resolve("rows.csv"), csv);

    Collection<RunResult> results = new Runner(new OptionsBuilder().include(ChurnModelBenchmark.class.getName())
        .param("registry", dir.resolve("registry").toUri().toString()).param("model", "models:/churn/1", "models:/churn/2")
        .param("input", rows.toString()).param("label", "churned").param("batchSize", "1", "32")
        .param("cache", dir.resolve("cache").toString())
        .forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(50)).measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100)).timeUnit(TimeUnit.MILLISECONDS).shouldFailOnError(true).build()).run();

    assertThat(results).hasSize(8); // 2 benchmarks × 2 versions × 2 batch sizes
    assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isFinite().isPositive());
    assertThat(results).extracting(r -> r.getParams().getParam("model")).contains("models:/churn/1", "models:/churn/2");
  }
}

package io.modelreg.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The harness run by JMH itself, in this JVM with tiny iteration counts so it cannot rot: a real ONNX model from a
 * real {@code file:} registry, rows from a CSV. The scores are wall-clock throughput and only checked to exist and
 * be finite; nothing is asserted about speed.
 */
class ModelBenchmarkTest {
  @TempDir Path dir;

  private String registryUri() throws Exception {
    try (ModelRegistry r = ModelRegistries.open(dir.resolve("registry").toUri())) {
      TinyModel.register(r, dir.resolve("work"));
    }
    return dir.resolve("registry").toUri().toString();
  }

  @Test
  void jmhRunsTheTenLineBenchmarkThroughAPredictorAndThroughAPool() throws Exception {
    String registry = registryUri();
    Path csv = TinyModel.csv(dir.resolve("rows.csv"), 50);
    Options options = new OptionsBuilder().include(TinyModelBenchmark.class.getName())
        .param("registry", registry).param("model", "models:/tiny/1").param("input", csv.toString()).param("label", "y")
        .param("batchSize", "1", "16").param("via", "predictor", "pool").param("cache", dir.resolve("cache").toString())
        .forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(50)).measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100)).timeUnit(TimeUnit.MILLISECONDS).shouldFailOnError(true).build();
    Collection<RunResult> results = new Runner(options).run();
    // 2 benchmarks × 2 batch sizes × 2 ways of loading
    assertThat(results).hasSize(8);
    List<String> seen = new ArrayList<>();
    for (RunResult r : results) {
      double score = r.getPrimaryResult().getScore();
      assertThat(score).isFinite().isPositive();
      seen.add(r.getParams().getBenchmark().replaceAll(".*\\.", "") + "/" + r.getParams().getParam("via") + "/"
          + r.getParams().getParam("batchSize"));
    }
    assertThat(seen).contains("oneRow/predictor/1", "batch/pool/16");
  }

  private static TinyModelBenchmark state(String registry, String model, String input) {
    TinyModelBenchmark s = new TinyModelBenchmark();
    s.registry = registry;
    s.model = model;
    s.input = input;
    s.label = "y";
    s.batchSize = 4;
    s.via = "predictor";
    s.cache = "";
    return s;
  }

  @Test
  void theStateDropsColumnsTheModelDoesNotTakeAndCyclesThroughTheRows() throws Exception {
    String registry = registryUri();
    Path csv = java.nio.file.Files.writeString(dir.resolve("wide.csv"), "x1,note,x2,y\n1,a,2,pos\n-1,b,-2,neg\n0.5,c,0,pos\n");
    TinyModelBenchmark s = state(registry, "models:/tiny/latest", csv.toString());
    s.cache = dir.resolve("cache").toString();
    s.openModel();
    try {
      assertThat(s.rows()).hasSize(3).allSatisfy(r -> assertThat(r.keySet()).containsExactlyInAnyOrder("x1", "x2"));
      assertThat(s.version().number()).isEqualTo(1);
      List<Map<String, ?>> cycled = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        cycled.add(s.nextRow());
      }
      assertThat(cycled.get(3)).isEqualTo(cycled.get(0));
      assertThat(s.predictBatch()).hasNumberOfRows(4); // batches wrap around the three rows
      assertThat(s.predictRow()).isNotEmpty();
    } finally {
      s.closeModel();
    }
  }

  @Test
  void missingOrWrongParametersSayWhatToSet() throws Exception {
    assertThatThrownBy(() -> state("mem:", "", "rows.csv").openModel()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Set the model to benchmark: -p model=models:/<name>/<version>");
    assertThatThrownBy(() -> state("mem:", "models:/m/1", " ").openModel())
        .hasMessageContaining("Set the rows to predict: -p input=rows.csv");
    TinyModelBenchmark zero = state("mem:", "models:/m/1", "rows.csv");
    zero.batchSize = 0;
    assertThatThrownBy(zero::openModel).hasMessage("batchSize must be at least 1, got 0");
    TinyModelBenchmark bogus = state("mem:", "models:/m/1", "rows.csv");
    bogus.via = "grpc";
    assertThatThrownBy(bogus::openModel).hasMessage("via must be 'predictor' or 'pool', got 'grpc'");
    assertThatThrownBy(() -> state("mem:", "models:/m/1", "rows.csv").predictor()).isInstanceOf(IllegalStateException.class);
  }
}

package io.modelreg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.Digest;
import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.examples.ChurnDataset;
import io.modelreg.examples.ChurnTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code modelreg bench} on two real churn classifiers (Tribuo → ONNX → ONNX Runtime) with different feature
 * sets. Timings here are real and therefore only checked to be present and finite; their statistics are tested
 * on synthetic timings in registry-inference (BenchTest, LatencySummaryTest).
 */
class BenchCommandTest {
  @TempDir Path dir;
  private Path rows;

  private String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> env = new HashMap<>();
    env.put("MODELREG_URI", dir.resolve("registry").toUri().toString());
    int code = ModelregCli.run(env, new PrintWriter(out), new PrintWriter(err), args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  private ModelRegistry registry() {
    return ModelRegistries.open(dir.resolve("registry").toUri());
  }

  @BeforeEach
  void trainRegisterAndWriteRows() throws Exception {
    List<Map<String, Object>> data = ChurnDataset.generate(1000, 5);
    try (ModelRegistry registry = registry()) {
      for (List<String> columns : List.of(List.of("tenure", "tickets", "plan"), List.of("age", "income", "tenure", "tickets", "plan"))) {
        ChurnTrainer.Result r = ChurnTrainer.train(data.subList(0, 800), data.subList(800, 1000), columns);
        r.bundle().register(registry, "churn", Registration.builder().metric("accuracy", r.accuracy()));
      }
    }
    StringBuilder csv = new StringBuilder("age,income,tenure,tickets,plan,churned\n");
    for (Map<String, Object> row : ChurnDataset.generate(150, 9)) {
      Object age = row.get("age");
      csv.append(age == null ? "" : age).append(',').append(row.get("income")).append(',').append(row.get("tenure"))
          .append(',').append(row.get("tickets")).append(',').append(row.get("plan")).append(',')
          .append(row.get(ChurnDataset.LABEL)).append('\n');
    }
    rows = Files.writeString(dir.resolve("rows.csv"), csv);
  }

  @Test
  void benchTimesBothVersionsScoresThemAndRecordsARunWithConditionsOnEach() throws Exception {
    String[] r = run("bench", "models:/churn/1", "models:/churn/2", "--input", rows.toString(), "--label", "churned",
        "--batch-sizes", "1,8", "--warmup", "3", "--rounds", "25", "--run-id", "bench-test", "--cache",
        dir.resolve("cache").toString(), "--json");
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    JsonNode json = Views.JSON.readTree(r[1]);
    assertThat(json.path("run_id").asText()).isEqualTo("bench-test");
    assertThat(json.path("recorded")).extracting(JsonNode::asText).containsExactly("models:/churn/1", "models:/churn/2");
    assertThat(json.path("versions")).hasSize(2);
    for (JsonNode v : json.path("versions")) {
      for (String b : List.of("b1", "b8")) {
        JsonNode l = v.path("latency").path(b);
        assertThat(l.path("calls").asInt()).isEqualTo(25);
        for (String k : List.of("p50_ms", "p95_ms", "p99_ms", "max_ms", "rows_per_s")) {
          assertThat(l.path(k).isNumber()).as(b + " " + k).isTrue();
          assertThat(Double.isFinite(l.path(k).asDouble()) && l.path(k).asDouble() > 0).as(b + " " + k).isTrue();
        }
        assertThat(l.path("p50_ci95_ms").get(0).asDouble()).isLessThanOrEqualTo(l.path("p50_ms").asDouble());
      }
      assertThat(v.path("quality").path("accuracy").asDouble()).isBetween(0.5, 1.0);
      assertThat(v.path("quality").has("auc")).isTrue();
      assertThat(v.path("quality").has("log_loss")).isTrue();
    }
    String sha = Digest.of(Files.readAllBytes(rows)).hex();
    try (ModelRegistry registry = registry()) {
      for (int n : new int[] {1, 2}) {
        MetricRecord run = registry.getVersion("churn", n).metricRuns().get(0);
        assertThat(run.runId()).isEqualTo("bench-test");
        assertThat(run.conditions()).containsEntry("input.sha256", sha).containsEntry("input", "rows.csv")
            .containsEntry("label", "churned").containsEntry("batch_sizes", "1,8").containsEntry("tool", "modelreg bench")
            .containsEntry("interleaved", "models:/churn/1 models:/churn/2").containsKeys("cpu", "cores", "jdk");
        assertThat(run.values()).containsKeys("latency.b1.p50_ms", "latency.b8.p99_ms", "throughput.b8.rows_per_s", "accuracy");
      }
    }
    // measured together under the same conditions: compare has nothing to warn about
    String[] same = run("compare", "models:/churn/1", "models:/churn/2", "--metric", "latency.b1.p50_ms", "--lower-is-better");
    assertThat(same[0]).isEqualTo("0");
    assertThat(same[1]).contains("latency.b1.p50_ms").doesNotContain("conditions differ");
  }

  @Test
  void textOutputShowsPercentilesWithTheirErrorQualityAndWhereItWasRecorded() {
    String[] r = run("bench", "models:/churn/2", "--input", rows.toString(), "--label", "churned", "--warmup", "2",
        "--rounds", "10", "--cache", dir.resolve("cache").toString());
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("1 version on " + rows).contains("p50 ms").contains("p99 ms").contains("rows/s").contains("±")
        .contains("quality: accuracy").contains("Recorded as run bench-").contains("on models:/churn/2");
  }

  @Test
  void benchesOnOtherDataAreFlaggedByCompareAndTheReportWhichDrawsTheDistributions() throws Exception {
    String cache = dir.resolve("cache").toString();
    assertThat(run("bench", "models:/churn/1", "--input", rows.toString(), "--label", "churned", "--warmup", "2",
        "--rounds", "10", "--cache", cache)[0]).isEqualTo("0");
    Path other = Files.writeString(dir.resolve("other.csv"), Files.readString(rows).lines().limit(60)
        .reduce("", (a, b) -> a + b + "\n"));
    assertThat(run("bench", "models:/churn/2", "--input", other.toString(), "--label", "churned", "--warmup", "2",
        "--rounds", "10", "--cache", cache)[0]).isEqualTo("0");

    String[] c = run("compare", "models:/churn/1", "models:/churn/2");
    assertThat(c[1]).contains("conditions differ for").contains("input: rows.csv vs other.csv").contains("input.rows: 150 vs 59");
    JsonNode cj = Views.JSON.readTree(run("compare", "models:/churn/1", "models:/churn/2", "--json")[1]);
    assertThat(cj.path("condition_differences").path("accuracy").path("input.sha256")).hasSize(2);

    Path html = dir.resolve("report.html");
    assertThat(run("report", "churn", "--out", html.toString())[0]).isEqualTo("0");
    String page = Files.readString(html);
    assertThat(page).contains("\"condition_differences\"").contains("\"input.rows\"").contains("\"bench\"")
        .contains("\"p99_ms\"").contains("Latency and quality");
    Path chromium = Path.of("/usr/bin/chromium");
    assumeTrue(Files.isExecutable(chromium), "Debian's chromium is not installed (.ci/run installs it)");
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + dir.resolve("chromium-profile"), "--dump-dom", html.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(dom).contains("class=\"chart latency\"").contains("data-batch=\"1\"").contains("data-batch=\"32\"")
        .contains("class=\"warning\"").contains("Measured under different conditions").contains("class=\"bench\"");
  }

  @Test
  void badInputIsExitEightAndNothingIsRecorded() throws Exception {
    String[] r = run("bench", "models:/churn/1", "--input", rows.toString(), "--label", "label", "--cache",
        dir.resolve("cache").toString());
    assertThat(r[0]).isEqualTo("8");
    assertThat(r[2]).contains("has no label column 'label'; its columns are [age, income, tenure, tickets, plan, churned]");
    Path lacking = Files.writeString(dir.resolve("lacking.csv"), "tenure,plan,churned\n3,basic,yes\n");
    String[] missing = run("bench", "models:/churn/1", "--input", lacking.toString(), "--rounds", "2", "--cache",
        dir.resolve("cache").toString());
    assertThat(missing[0]).isEqualTo("8");
    assertThat(missing[2]).contains("models:/churn/1: ").contains("missing column 'tickets'");
    assertThat(run("bench", "models:/churn/1", "--input", rows.toString(), "--batch-sizes", "0")[0]).isEqualTo("8");
    String[] unrecorded = run("bench", "models:/churn/1", "--input", rows.toString(), "--rounds", "2", "--warmup", "0",
        "--no-record", "--cache", dir.resolve("cache").toString());
    assertThat(unrecorded[0]).as(unrecorded[2]).isEqualTo("0");
    assertThat(unrecorded[1]).contains("Not recorded");
    try (ModelRegistry registry = registry()) {
      assertThat(registry.getVersion("churn", 1).metricRuns()).isEmpty();
    }
  }
}

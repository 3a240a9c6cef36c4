package io.modelreg.cli;

import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.bench.Bench;
import io.modelreg.inference.bench.BenchConditions;
import io.modelreg.inference.bench.BenchInput;
import io.modelreg.inference.bench.BenchResult;
import io.modelreg.inference.bench.BenchTarget;
import io.modelreg.inference.bench.LatencySummary;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelreg bench URI… --input rows.csv [--label COLUMN]}: latency (single row and batches) and quality of
 * one or more versions on the user's rows, versions interleaved, recorded on each version with the conditions.
 * The work is {@link Bench}'s; this command loads the predictors, draws progress and prints.
 */
@Command(name = "bench", description = "Benchmark versions on your rows: latency p50/p95/p99/max and throughput, single row"
    + " and batched, versions interleaved; accuracy, log loss, AUC or RMSE/MAE with --label. Recorded on each version.")
final class BenchCommand extends Base {
  @Parameters(arity = "1..*", paramLabel = "URI", description = "Versions to compare: models:/churn/6 models:/churn@champion …")
  List<String> uris = new ArrayList<>();
  @Option(names = "--input", required = true, paramLabel = "FILE", description = "rows.csv (with a header) or rows.jsonl, or - for JSON lines on stdin")
  String input;
  @Option(names = "--label", paramLabel = "COLUMN", description = "The column with the true label or value; enables quality metrics")
  @Nullable String label;
  @Option(names = "--batch-sizes", split = ",", paramLabel = "N", description = "Batch sizes, 1 = single row; default 1,32")
  @Nullable List<Integer> batchSizes;
  @Option(names = "--warmup", paramLabel = "ROUNDS", description = "Warm-up rounds, not recorded; default 200")
  int warmup = Bench.DEFAULT_WARMUP_ROUNDS;
  @Option(names = "--rounds", paramLabel = "ROUNDS", description = "Measured rounds (calls per version and batch size); default 1000")
  int rounds = Bench.DEFAULT_ROUNDS;
  @Option(names = "--run-id", paramLabel = "ID", description = "Run id of the recorded metric runs; default bench-<UTC time>")
  @Nullable String runId;
  @Option(names = "--no-record", description = "Only print; record nothing in the registry")
  boolean noRecord;
  @Option(names = "--cache", paramLabel = "DIR") @Nullable Path cache;

  @Override
  void run() throws Exception {
    BenchInput rows = input.equals("-") ? BenchInput.jsonLines("stdin", System.in, label) : BenchInput.read(Path.of(input), label);
    PredictorOptions options = cache != null ? PredictorOptions.defaults().cacheDirectory(cache) : PredictorOptions.defaults();
    Instant started = root().clock.instant();
    String id = runId != null ? runId
        : "bench-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC).format(started);
    List<ModelPredictor> predictors = new ArrayList<>();
    try (ModelRegistry r = root().open()) {
      try {
        Bench.Builder bench = Bench.builder(rows).ticker(root().ticker).warmupRounds(warmup).rounds(rounds);
        for (String uri : uris) {
          ModelPredictor p = ModelPredictor.load(r, ModelUri.parse(uri), options);
          predictors.add(p);
          bench.target(BenchTarget.of(p.version().map(v -> v.uri().toString()).orElse(uri), p));
        }
        if (batchSizes != null) {
          bench.batchSizes(batchSizes);
        }
        Map<String, String> conditions = new LinkedHashMap<>(BenchConditions.machine());
        conditions.put("tool", "modelreg bench");
        conditions.put("input", Path.of(input).getFileName() == null ? input : String.valueOf(Path.of(input).getFileName()));
        boolean draw = interactive();
        BenchResult result = bench.conditions(conditions).listener((done, total, warm) -> {
          // a percent at a time: redrawn by progress, not by a clock, so it costs nothing between draws
          if (draw && (done == total || done % Math.max(1, total / 100) == 0)) {
            err().printf(Locale.ROOT, "\rbench: round %d of %d (%d%%)%s", done, total, 100L * done / total,
                warm ? ", warming up" : "           ");
            err().flush();
          }
        }).build().run();
        if (draw) {
          err().println();
        }
        List<ModelVersion> recorded = noRecord ? List.of() : result.record(r, id, root().clock.instant());
        print(json(result, recorded, id), text(result, rows, recorded, id));
      } finally {
        for (ModelPredictor p : predictors) {
          p.close();
        }
      }
    }
  }

  private static Map<String, Object> json(BenchResult result, List<ModelVersion> recorded, String id) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("run_id", id);
    o.put("recorded", recorded.stream().map(v -> v.uri().toString()).toList());
    o.put("conditions", result.conditions());
    List<Object> versions = new ArrayList<>();
    for (BenchResult.Version v : result.versions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("uri", v.name());
      Map<String, Object> latency = new LinkedHashMap<>();
      v.latency().forEach((size, s) -> {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("batch_size", size);
        l.put("calls", s.count());
        l.put("p50_ms", s.quantile(0.5) / 1e6);
        l.put("p95_ms", s.quantile(0.95) / 1e6);
        l.put("p99_ms", s.quantile(0.99) / 1e6);
        l.put("max_ms", s.max() / 1e6);
        l.put("mean_ms", s.mean() / 1e6);
        for (double q : new double[] {0.5, 0.95, 0.99}) {
          LatencySummary.Interval i = s.quantileInterval(q);
          l.put("p" + Math.round(q * 100) + "_ci95_ms", List.of(i.low() / 1e6, i.high() / 1e6));
        }
        l.put("rows_per_s", s.rowsPerSecond(size));
        latency.put("b" + size, l);
      });
      m.put("latency", latency);
      m.put("quality", v.quality());
      m.put("metrics", BenchResult.metrics(v));
      versions.add(m);
    }
    o.put("versions", versions);
    return o;
  }

  private static String text(BenchResult result, BenchInput rows, List<ModelVersion> recorded, String id) {
    Map<String, String> c = result.conditions();
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "%d version%s on %s (%d rows, sha256 %s…), %s warm-up + %s measured rounds,"
            + " interleaved%n", result.versions().size(), result.versions().size() == 1 ? "" : "s", rows.source(),
        rows.rows().size(), rows.digest().hex().substring(0, 12), c.get("warmup_rounds"), c.get("rounds")));
    t.append(String.format(Locale.ROOT, "machine: %s, %s cores, JDK %s%n", c.get("cpu"), c.get("cores"), c.get("jdk")));
    for (BenchResult.Version v : result.versions()) {
      t.append('\n').append(v.name()).append('\n');
      t.append(String.format(Locale.ROOT, "  %-6s %19s %19s %19s %10s %12s%n", "batch", "p50 ms", "p95 ms", "p99 ms",
          "max ms", "rows/s"));
      v.latency().forEach((size, s) -> t.append(String.format(Locale.ROOT, "  %-6d %19s %19s %19s %10.4f %12.0f%n",
          size, withError(s, 0.5), withError(s, 0.95), withError(s, 0.99), s.max() / 1e6, s.rowsPerSecond(size))));
      if (!v.quality().isEmpty()) {
        StringBuilder q = new StringBuilder();
        v.quality().forEach((k, x) -> q.append(q.length() == 0 ? "" : ", ").append(k).append(' ')
            .append(String.format(Locale.ROOT, "%.4f", x)));
        t.append("  quality: ").append(q).append('\n');
      }
    }
    t.append('\n').append("± is the larger half of each percentile's 95% interval; two runs agree when their intervals overlap\n");
    t.append(recorded.isEmpty() ? "Not recorded" : "Recorded as run " + id + " on "
        + String.join(", ", recorded.stream().map(v -> v.uri().toString()).toList()));
    return t.toString();
  }

  private static String withError(LatencySummary s, double q) {
    long at = s.quantile(q);
    LatencySummary.Interval i = s.quantileInterval(q);
    double err = Math.max(at - i.low(), i.high() - at) / 1e6;
    return String.format(Locale.ROOT, "%.4f ±%.4f", at / 1e6, err);
  }
}

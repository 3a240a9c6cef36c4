package io.modelreg.inference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The bench runner on synthetic timings: each fake version "takes" a time drawn from a known distribution,
 * which the fake ticker adds to its clock during the call. Nothing reads the wall clock.
 */
class BenchTest {
  static final BenchInput INPUT = BenchInput.parse("rows.csv",
      "x,y\n1,yes\n2,no\n3,yes\n4,no\n5,yes\n".getBytes(StandardCharsets.UTF_8), true, "y");

  /** Time moves only when a fake target is called. */
  static final class SyntheticTicker implements Ticker {
    long now;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(Duration duration) {
      now += duration.toNanos();
    }
  }

  /** A version whose calls take exponential times of the given mean per row, and that logs every call. */
  static final class FakeTarget implements BenchTarget {
    final String name;
    final SyntheticTicker ticker;
    final Random random;
    final double meanNanosPerRow;
    final List<String> log;
    final @Nullable ModelVersion version;
    int warmupCalls;

    FakeTarget(String name, SyntheticTicker ticker, long seed, double meanNanosPerRow, List<String> log,
        @Nullable ModelVersion version) {
      this.name = name;
      this.ticker = ticker;
      this.random = new Random(seed);
      this.meanNanosPerRow = meanNanosPerRow;
      this.log = log;
      this.version = version;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Optional<ModelVersion> version() {
      return Optional.ofNullable(version);
    }

    @Override
    public Object call(List<? extends Map<String, ?>> rows) {
      log.add(name + ":" + rows.size());
      if (warmupCalls > 0) {
        warmupCalls--;
        ticker.now += 1_000_000_000L; // a warm-up call is slow; none of it may show in the results
      } else {
        ticker.now += Math.round(-meanNanosPerRow * rows.size() * Math.log(1 - random.nextDouble()));
      }
      return rows.size();
    }

    @Override
    public Map<String, Double> quality(List<? extends Map<String, ?>> rows, List<?> labels) {
      assertThat(rows).allSatisfy(r -> assertThat(r).containsOnlyKeys("x"));
      return Map.of("accuracy", 0.8);
    }
  }

  @Test
  void versionsTakeTurnsInARotatingOrderAtEveryBatchSizeAndWarmUpIsNotRecorded() {
    SyntheticTicker ticker = new SyntheticTicker();
    List<String> log = new ArrayList<>();
    FakeTarget a = new FakeTarget("a", ticker, 1, 10_000, log, null);
    FakeTarget b = new FakeTarget("b", ticker, 2, 10_000, log, null);
    a.warmupCalls = 4;
    b.warmupCalls = 4;
    BenchResult result = Bench.builder(INPUT).target(a).target(b).batchSizes(List.of(1, 3)).warmupRounds(2).rounds(5)
        .ticker(ticker).build().run();
    assertThat(log.subList(0, 8)).containsExactly("a:1", "b:1", "a:3", "b:3", "b:1", "a:1", "b:3", "a:3");
    assertThat(log).hasSize(2 * 2 * 7);
    for (BenchResult.Version v : result.versions()) {
      assertThat(v.latency().keySet()).containsExactly(1, 3);
      assertThat(v.latency().get(1).count()).isEqualTo(5);
      assertThat(v.latency().get(1).max()).isLessThan(1_000_000_000L);
      assertThat(v.quality()).containsEntry("accuracy", 0.8);
    }
    assertThat(result.conditions()).containsEntry("batch_sizes", "1,3").containsEntry("warmup_rounds", "2")
        .containsEntry("rounds", "5").containsEntry("interleaved", "a b").containsEntry("input.rows", "5")
        .containsEntry("label", "y").containsEntry("input.sha256", INPUT.digest().hex());
  }

  @Test
  void theDefaultBatchShrinksToTheInputButAGivenOneWrapsAround() {
    SyntheticTicker ticker = new SyntheticTicker();
    List<String> log = new ArrayList<>();
    Bench defaults = Bench.builder(INPUT).target(new FakeTarget("a", ticker, 1, 1000, log, null)).ticker(ticker).build();
    assertThat(defaults.batchSizes()).containsExactly(1, 5);
    log.clear();
    Bench.builder(INPUT).target(new FakeTarget("a", ticker, 1, 1000, log, null)).batchSizes(List.of(8)).warmupRounds(0)
        .rounds(2).ticker(ticker).build().run();
    assertThat(log).containsExactly("a:8", "a:8");
  }

  @Test
  void theSameBenchOfTheSameVersionTwiceAgreesWithinItsStatedError() {
    // the same version benched twice in a row: the calls' times come from the same distribution, other draws
    BenchResult first = benchOnce(11);
    BenchResult second = benchOnce(12);
    for (int size : List.of(1, 5)) {
      LatencySummary x = first.versions().get(0).latency().get(size);
      LatencySummary y = second.versions().get(0).latency().get(size);
      for (double q : new double[] {0.5, 0.95, 0.99}) {
        assertThat(x.quantileInterval(q).overlaps(y.quantileInterval(q))).as("p%s at batch %d", q * 100, size).isTrue();
      }
      Map<String, Double> mx = BenchResult.metrics(first.versions().get(0));
      Map<String, Double> my = BenchResult.metrics(second.versions().get(0));
      String p50 = "latency.b" + size + ".p50_ms";
      String err = "latency.b" + size + ".p50_err_ms";
      assertThat(Math.abs(mx.get(p50) - my.get(p50))).isLessThanOrEqualTo(mx.get(err) + my.get(err));
      // the true median of the synthetic times lies inside the stated interval
      double trueMedianMs = 20_000 * size * Math.log(2) / 1e6;
      assertThat(Math.abs(mx.get(p50) - trueMedianMs)).isLessThanOrEqualTo(mx.get(err));
    }
  }

  private static BenchResult benchOnce(long seed) {
    SyntheticTicker ticker = new SyntheticTicker();
    return Bench.builder(INPUT).target(new FakeTarget("models:/m/1", ticker, seed, 20_000, new ArrayList<>(), null))
        .warmupRounds(10).rounds(2000).ticker(ticker).build().run();
  }

  @Test
  void resultsAreRecordedOnEachVersionWithTheRunsConditions() {
    try (ModelRegistry registry = ModelRegistries.open("mem:")) {
      ModelVersion v1 = registry.register("m", Registration.builder().bytes("model.onnx", new byte[] {1}).build());
      ModelVersion v2 = registry.register("m", Registration.builder().bytes("model.onnx", new byte[] {2}).build());
      SyntheticTicker ticker = new SyntheticTicker();
      List<String> log = new ArrayList<>();
      BenchResult result = Bench.builder(INPUT).target(new FakeTarget("models:/m/1", ticker, 1, 30_000, log, v1))
          .target(new FakeTarget("models:/m/2", ticker, 2, 10_000, log, v2))
          .target(new FakeTarget("file:model", ticker, 3, 10_000, log, null))
          .conditions(Map.of("cpu", "test cpu", "jdk", "17")).warmupRounds(0).rounds(400).ticker(ticker).build().run();
      Instant at = Instant.parse("2026-12-02T05:00:00Z");
      assertThat(result.record(registry, "bench-1", at)).extracting(ModelVersion::number).containsExactly(1, 2);
      MetricRecord run = registry.getVersion("m", 2).metricRuns().get(0);
      assertThat(run.runId()).isEqualTo("bench-1");
      assertThat(run.time()).isEqualTo(at);
      assertThat(run.conditions()).containsEntry("cpu", "test cpu").containsEntry("jdk", "17")
          .containsEntry("interleaved", "models:/m/1 models:/m/2 file:model");
      assertThat(run.values()).containsKeys("latency.b1.p50_ms", "latency.b1.p99_ms", "latency.b1.max_ms",
          "latency.b5.p95_ms", "throughput.b1.rows_per_s", "throughput.b5.rows_per_s", "accuracy", "latency.b1.calls");
      assertThat(run.values().get("latency.b1.calls")).isEqualTo(400.0);
      // v2 is three times faster in the synthetic timings; compare sees it with confidence from the one run each
      double p50v1 = registry.getVersion("m", 1).metricRuns().get(0).values().get("latency.b1.p50_ms");
      assertThat(run.values().get("latency.b1.p50_ms")).isLessThan(p50v1 / 2);
      assertThat(registry.compare(io.modelreg.ModelUri.parse("models:/m/1"), io.modelreg.ModelUri.parse("models:/m/2"))
          .conditionDifferences()).isEmpty();
    }
  }

  @Test
  void aTargetThatRefusesTheRowsIsNamed() {
    BenchTarget refusing = new BenchTarget() {
      @Override
      public String name() {
        return "models:/m/3";
      }

      @Override
      public Optional<ModelVersion> version() {
        return Optional.empty();
      }

      @Override
      public Object call(List<? extends Map<String, ?>> rows) {
        throw new IllegalArgumentException("missing column 'z'");
      }

      @Override
      public Map<String, Double> quality(List<? extends Map<String, ?>> rows, List<?> labels) {
        return Map.of();
      }
    };
    assertThatThrownBy(() -> Bench.builder(INPUT).target(refusing).rounds(2).build().run())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("models:/m/3: missing column 'z'");
  }

  @Test
  void settingsAreCheckedWhenSet() {
    Bench.Builder b = Bench.builder(INPUT);
    assertThatThrownBy(() -> b.batchSizes(List.of())).hasMessageContaining("at least one batch size");
    assertThatThrownBy(() -> b.batchSizes(List.of(0))).hasMessageContaining("between 1 and 1000000, got 0");
    assertThatThrownBy(() -> b.rounds(1)).hasMessageContaining("at least 2 rounds");
    assertThatThrownBy(() -> b.warmupRounds(-1)).hasMessageContaining("cannot be negative");
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one target");
    SyntheticTicker t = new SyntheticTicker();
    b.target(new FakeTarget("a", t, 1, 1, new ArrayList<>(), null));
    assertThatThrownBy(() -> b.target(new FakeTarget("a", t, 1, 1, new ArrayList<>(), null)))
        .hasMessageContaining("a is named twice");
  }
}

package io.modelreg.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.modelreg.ModelVersion;
import io.modelreg.inference.pool.ModelPool;
import io.modelreg.inference.pool.PoolSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The only class that touches {@code registry-inference}: it is loaded when a pool is passed to
 * {@link ServerOptions.Builder#pool}, so a server without a pool runs without DJL and ONNX Runtime on the
 * class path.
 */
final class PoolView {
  private final ModelPool<?> pool;
  private final Set<String> gaugedVersions = ConcurrentHashMap.newKeySet();

  PoolView(ModelPool<?> pool) {
    this.pool = pool;
  }

  /** The pool's figures as a JSON tree. */
  Map<String, Object> snapshot() {
    PoolSnapshot s = pool.snapshot();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("budgetBytes", s.budgetBytes());
    out.put("bytesInUse", s.bytesInUse());
    out.put("loadedModels", s.loadedModels());
    out.put("loads", s.loads());
    out.put("evictions", s.evictions());
    out.put("hits", s.hits());
    out.put("misses", s.misses());
    out.put("hitRate", s.hitRate());
    out.put("waiting", s.waiting());
    out.put("waited", s.waited());
    out.put("refused", s.refused());
    out.put("versions", stats(s.versions()));
    out.put("arms", stats(s.arms()));
    return out;
  }

  private static List<Map<String, Object>> stats(Map<String, PoolSnapshot.Stats> stats) {
    List<Map<String, Object>> out = new ArrayList<>();
    stats.forEach((key, st) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", key);
      m.put("requests", st.requests());
      m.put("errors", st.errors());
      m.put("p50Micros", st.p50Micros());
      m.put("p95Micros", st.p95Micros());
      m.put("p99Micros", st.p99Micros());
      out.add(m);
    });
    return out;
  }

  /** Tells {@code sink} of each switch as a JSON tree. */
  void onSwitch(java.time.Clock clock, Consumer<Map<String, Object>> sink) {
    pool.onSwitch((uri, from, to, atNanos) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("uri", uri);
      m.put("from", ref(from));
      m.put("to", ref(to));
      m.put("time", clock.instant().toString());
      sink.accept(m);
    });
  }

  private static String ref(ModelVersion v) {
    return v.name() + "/" + v.number();
  }

  /** Pool gauges; per-version latency gauges are added as versions appear (see {@link #refreshGauges}). */
  void bindTo(MeterRegistry meters) {
    gauge(meters, "modelreg.pool.budget", "bytes", s -> s.budgetBytes());
    gauge(meters, "modelreg.pool.memory.used", "bytes", s -> s.bytesInUse());
    gauge(meters, "modelreg.pool.models.loaded", null, s -> s.loadedModels());
    gauge(meters, "modelreg.pool.loads", null, s -> s.loads());
    gauge(meters, "modelreg.pool.evictions", null, s -> s.evictions());
    gauge(meters, "modelreg.pool.hits", null, s -> s.hits());
    gauge(meters, "modelreg.pool.misses", null, s -> s.misses());
    gauge(meters, "modelreg.pool.hit.ratio", null, PoolSnapshot::hitRate);
    gauge(meters, "modelreg.pool.waiting", null, s -> s.waiting());
    gauge(meters, "modelreg.pool.refused", null, s -> s.refused());
    refreshGauges(meters);
  }

  /** Registers latency gauges for versions the pool has served since the last call. */
  void refreshGauges(MeterRegistry meters) {
    for (String key : pool.snapshot().versions().keySet()) {
      if (gaugedVersions.add(key)) {
        Tags tags = Tags.of("version", key);
        versionGauge(meters, "modelreg.pool.latency.p50", key, tags, PoolSnapshot.Stats::p50Micros);
        versionGauge(meters, "modelreg.pool.latency.p95", key, tags, PoolSnapshot.Stats::p95Micros);
        versionGauge(meters, "modelreg.pool.latency.p99", key, tags, PoolSnapshot.Stats::p99Micros);
        versionGauge(meters, "modelreg.pool.requests", key, tags, st -> st.requests());
        versionGauge(meters, "modelreg.pool.errors", key, tags, st -> st.errors());
      }
    }
  }

  private void gauge(MeterRegistry meters, String name, @org.jspecify.annotations.Nullable String unit,
      ToDoubleFunction<PoolSnapshot> f) {
    Gauge.Builder<PoolView> b = Gauge.builder(name, this, v -> f.applyAsDouble(v.pool.snapshot()));
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(meters);
  }

  private void versionGauge(MeterRegistry meters, String name, String key, Tags tags,
      ToDoubleFunction<PoolSnapshot.Stats> f) {
    Gauge.builder(name, this, v -> {
      PoolSnapshot.Stats st = v.pool.snapshot().versions().get(key);
      return st == null ? Double.NaN : f.applyAsDouble(st);
    }).tags(tags).baseUnit(name.contains("latency") ? "microseconds" : null).register(meters);
  }
}

package io.modelreg.inference.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.TransientRegistryException;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool over real ONNX bundles. Sizes are made deterministic by a fake resident-memory probe that the
 * test's loader raises by a chosen number of bytes per model; time is a ticker the test moves.
 */
class ModelPoolTest {
  private static final long MB = 1 << 20;
  private static final Map<String, Object> ROW = Map.of("f00", 0.5, "f01", -1.0);

  @TempDir Path dir;
  private ModelRegistry registry;
  private final AtomicLong rss = new AtomicLong(1000 * MB);
  private final AtomicLong now = new AtomicLong();
  private final Map<String, Long> sizes = new ConcurrentHashMap<>();
  private final AtomicInteger loadCount = new AtomicInteger();

  @BeforeEach
  void setUp() throws IOException {
    registry = ModelRegistries.open(dir.resolve("registry").toUri());
    Path onnx = dir.resolve("model.onnx");
    io.modelreg.inference.TwoFeatureModelAccess.saveOnnx(onnx);
    ModelBundle bundle = ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(List.of("f00", "f01")))
        .labels(List.of("a", "b")).build();
    for (String name : List.of("m1", "m2", "m3", "big")) {
      bundle.register(registry, name, Registration.builder());
    }
    bundle.register(registry, "m1", Registration.builder().tag("variant", "two"));
    sizes.put("m1", 40 * MB);
    sizes.put("m2", 40 * MB);
    sizes.put("m3", 40 * MB);
    sizes.put("big", 90 * MB);
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  private ModelPool.Builder<ModelPredictor> pool(long budgetMb) {
    return pool(budgetMb, (r, v) -> {
      loadCount.incrementAndGet();
      ModelPredictor p = ModelPredictor.load(r, v.uri(), PredictorOptions.defaults().cacheDirectory(dir.resolve("cache")));
      rss.addAndGet(sizes.getOrDefault(v.name(), 10 * MB));
      return p;
    });
  }

  private <M extends AutoCloseable> ModelPool.Builder<M> pool(long budgetMb, ModelPool.Loader<M> loader) {
    return ModelPool.builder(registry, loader)
        .budget(MemoryBudget.bytes(budgetMb * MB))
        .memoryProbe(rss::get)
        .ticker(now::get)
        .backgroundMaintenance(false);
  }

  @Test
  void automaticBudgetsUnderstandUnifiedMemory() {
    long gib = 1L << 30;
    PlatformFacts mac = new PlatformFacts("Mac OS X", "aarch64", 64 * gib, 40 * gib, OptionalLong.of(48 * gib), 8 * gib);
    MemoryBudget m = MemoryBudget.automatic(mac);
    assertThat(mac.unifiedMemory()).isTrue();
    assertThat(m.limit()).isEqualTo(40 * gib - 8 * gib - MemoryBudget.headroom(mac));
    PlatformFacts tightGpu = new PlatformFacts("Mac OS X", "arm64", 16 * gib, 12 * gib, OptionalLong.of(10 * gib), 2 * gib);
    assertThat(MemoryBudget.automatic(tightGpu).limit()).isEqualTo(10 * gib - 2 * gib - MemoryBudget.headroom(tightGpu));
    assertThat(MemoryBudget.automatic(tightGpu).explanation()).contains("unified memory");
    PlatformFacts linux = new PlatformFacts("Linux", "amd64", 24 * gib, 20 * gib, OptionalLong.empty(), 6 * gib);
    assertThat(linux.unifiedMemory()).isFalse();
    assertThat(MemoryBudget.automatic(linux).limit()).isEqualTo(20 * gib - 6 * gib - MemoryBudget.headroom(linux));
    PlatformFacts tiny = new PlatformFacts("Linux", "amd64", gib, gib / 4, OptionalLong.empty(), gib);
    assertThat(MemoryBudget.automatic(tiny).limit()).isZero();
    assertThat(MemoryBudget.fractionOfPhysical(0.5, linux).limit()).isEqualTo(12 * gib);
    assertThatThrownBy(() -> MemoryBudget.fractionOfPhysical(1.5, linux)).isInstanceOf(IllegalArgumentException.class);
    assertThat(PlatformFacts.detect().totalPhysical()).isPositive();
  }

  @Test
  void sizesArePredictedMeasuredAndRecordedOnTheVersion() {
    try (ModelPool<ModelPredictor> p = pool(200).sizeFactor(3).build()) {
      ModelVersion v = registry.resolve("models:/m2/1");
      assertThat(p.predictedSize(v)).isEqualTo(v.manifest().totalSize() * 3);
      assertThat(p.predict("models:/m2/1", ROW).output()).hasSize(2);
      assertThat(p.snapshot().bytesInUse()).isEqualTo(40 * MB);
      ModelVersion after = registry.getVersion("m2", 1);
      assertThat(after.tags()).containsEntry(ModelPool.SIZE_TAG, Long.toString(40 * MB));
      assertThat(p.predictedSize(after)).isEqualTo(40 * MB);
    }
  }

  /** A load that measures less (allocator memory reused, say) accounted less than an earlier start had seen. */
  @Test
  void aSmallerMeasurementDoesNotLowerTheSizeAnEarlierStartRecorded() {
    registry.setVersionTag("m2", 1, ModelPool.SIZE_TAG, Long.toString(60 * MB));
    try (ModelPool<ModelPredictor> p = pool(200).build()) {
      p.predict("models:/m2/1", ROW); // measures 40 MB
      assertThat(p.snapshot().bytesInUse()).isEqualTo(60 * MB);
      ModelVersion after = registry.getVersion("m2", 1);
      assertThat(after.tags()).containsEntry(ModelPool.SIZE_TAG, Long.toString(60 * MB));
      assertThat(p.predictedSize(after)).isEqualTo(60 * MB);
      sizes.put("m3", 70 * MB);
      registry.setVersionTag("m3", 1, ModelPool.SIZE_TAG, Long.toString(50 * MB));
      p.predict("models:/m3/1", ROW); // measures more than recorded: accounted and recorded
      assertThat(p.snapshot().bytesInUse()).isEqualTo(130 * MB);
      assertThat(registry.getVersion("m3", 1).tags()).containsEntry(ModelPool.SIZE_TAG, Long.toString(70 * MB));
    }
  }

  @Test
  void theBudgetIsNeverExceededAndTheLeastRecentlyUsedIdleModelGoesFirst() {
    try (ModelPool<ModelPredictor> p = pool(100).build()) {
      p.predict("models:/m1/1", ROW);
      now.addAndGet(10);
      p.predict("models:/m2/1", ROW);
      now.addAndGet(10);
      p.predict("models:/m1/1", ROW); // m1 is now more recent than m2
      now.addAndGet(10);
      p.predict("models:/m3/1", ROW); // needs room: m2 goes
      PoolSnapshot s = p.snapshot();
      assertThat(s.bytesInUse()).isLessThanOrEqualTo(100 * MB);
      assertThat(s.loadedModels()).isEqualTo(2);
      assertThat(s.evictions()).isEqualTo(1);
      int before = loadCount.get();
      p.predict("models:/m1/1", ROW);
      assertThat(loadCount.get()).isEqualTo(before);
      p.predict("models:/m2/1", ROW);
      assertThat(loadCount.get()).isEqualTo(before + 1);
    }
  }

  @Test
  void modelsInUseAndPinnedModelsAreNeverEvicted() {
    for (String name : List.of("m1", "m2", "m3")) {
      registry.setVersionTag(name, 1, ModelPool.SIZE_TAG, Long.toString(40 * MB)); // measured by an earlier start
    }
    try (ModelPool<ModelPredictor> p = pool(100).acquireTimeout(Duration.ZERO).build()) {
      p.pin("models:/m1/1");
      try (ModelPool<ModelPredictor>.Lease held = p.acquire("models:/m2/1")) {
        assertThatThrownBy(() -> p.predict("models:/m3/1", ROW)).isInstanceOf(TransientRegistryException.class)
            .isInstanceOf(PoolOverloadedException.class)
            .hasMessageContaining("deadline passed").hasMessageContaining("in use or pinned");
        assertThat(held.predictor().predict(ROW)).hasSize(2);
      }
      p.predict("models:/m3/1", ROW); // m2 is idle now and goes
      assertThat(p.snapshot().loadedModels()).isEqualTo(2);
      p.unpin("models:/m1/1");
      p.predict("models:/m2/1", ROW);
      assertThat(p.snapshot().bytesInUse()).isLessThanOrEqualTo(100 * MB);
    }
  }

  @Test
  void maxModelsKeepAliveAndAModelLargerThanTheBudget() {
    try (ModelPool<ModelPredictor> p = pool(1000).maxModels(2).keepAlive(Duration.ofMinutes(5)).build()) {
      p.predict("models:/m1/1", ROW);
      p.predict("models:/m2/1", ROW);
      now.addAndGet(1);
      p.predict("models:/m3/1", ROW);
      assertThat(p.snapshot().loadedModels()).isEqualTo(2);
      now.addAndGet(Duration.ofMinutes(6).toNanos());
      p.maintain();
      assertThat(p.snapshot().loadedModels()).isZero();
      assertThat(p.snapshot().bytesInUse()).isZero();
    }
    try (ModelPool<ModelPredictor> small = pool(50).build()) {
      registry.setVersionTag("big", 1, ModelPool.SIZE_TAG, Long.toString(90 * MB));
      assertThatThrownBy(() -> small.predict("models:/big/1", ROW)).isInstanceOf(ModelPoolException.class)
          .hasMessageContaining("more than the whole budget");
      assertThat(loadCount.get()).isEqualTo(3);
    }
  }

  @Test
  void aFailingLoadIsRememberedForItsBackOffAndPoisonsNothingElse() {
    AtomicBoolean broken = new AtomicBoolean(true);
    try (ModelPool<ModelPredictor> p = pool(200, (r, v) -> {
      loadCount.incrementAndGet();
      if (broken.get() && v.name().equals("m1")) {
        throw new IllegalStateException("disk on fire");
      }
      return ModelPredictor.load(r, v.uri(), PredictorOptions.defaults().cacheDirectory(dir.resolve("cache")));
    }).failureBackoff(Duration.ofSeconds(30)).build()) {
      assertThatThrownBy(() -> p.predict("models:/m1/1", ROW)).hasMessageContaining("disk on fire");
      assertThatThrownBy(() -> p.predict("models:/m1/1", ROW)).isInstanceOf(ModelPoolException.class)
          .hasMessageContaining("back-off");
      assertThat(loadCount.get()).isEqualTo(1);
      assertThat(p.predict("models:/m2/1", ROW).output()).hasSize(2);
      broken.set(false);
      now.addAndGet(Duration.ofSeconds(31).toNanos());
      assertThat(p.predict("models:/m1/1", ROW).output()).hasSize(2);
      assertThat(p.snapshot().versions().get("m1/1").errors()).isZero();
      assertThat(p.snapshot().arms().get("models:/m1/1").errors()).isEqualTo(2);
    }
  }

  @Test
  void manyThreadsAskingForOneModelCauseOneLoad() throws Exception {
    try (ModelPool<ModelPredictor> p = pool(200).build()) {
      ExecutorService threads = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(threads.submit(() -> {
          start.await();
          return p.predict("models:/m1/1", ROW).output();
        }));
      }
      start.countDown();
      for (Future<float[]> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).hasSize(2);
      }
      threads.shutdownNow();
      assertThat(loadCount.get()).isEqualTo(1);
      assertThat(p.snapshot().misses() + p.snapshot().hits()).isEqualTo(8);
    }
  }

  @Test
  void routesAndAStickyWeightedSplitWithPerArmMetrics() {
    Routing routing = Routing.builder()
        .route("tenant-1", "models:/m1/1")
        .split("ab", "models:/m2/1", "models:/m3/1", 0.25)
        .defaultUri("models:/m1/2")
        .build();
    try (ModelPool<ModelPredictor> p = pool(500).routing(routing).build()) {
      assertThat(p.predictRouted("tenant-1", "u", ROW).version().name()).isEqualTo("m1");
      assertThat(p.predictRouted("unknown", "u", ROW).version().number()).isEqualTo(2);
      Map<String, Integer> arms = new HashMap<>();
      for (int i = 0; i < 400; i++) {
        arms.merge(p.predictRouted("ab", "user-" + i, ROW).uri(), 1, Integer::sum);
        assertThat(routing.uriFor("ab", "user-" + i)).isEqualTo(routing.uriFor("ab", "user-" + i));
      }
      assertThat(arms.get("models:/m3/1") / 400.0).isCloseTo(0.25, within(0.07));
      PoolSnapshot s = p.snapshot();
      assertThat(s.arms().get("models:/m3/1").requests()).isEqualTo((long) arms.get("models:/m3/1"));
      assertThat(s.arms().get("models:/m2/1").requests()).isEqualTo((long) arms.get("models:/m2/1"));
    }
    assertThatThrownBy(() -> Routing.builder().build().uriFor("x", "y")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void metricsAreRecordedOnTheVersionsForComparison() {
    try (ModelPool<ModelPredictor> p = pool(200).build()) {
      for (int i = 0; i < 20; i++) {
        now.addAndGet(1000);
        p.predict("models:/m1/1", ROW);
        p.predict("models:/m1/2", ROW);
      }
      PoolSnapshot s = p.snapshot();
      assertThat(s.versions().get("m1/1").requests()).isEqualTo(20);
      assertThat(s.hitRate()).isGreaterThan(0.9);
      assertThat(p.recordTo(registry)).isEqualTo(2);
      MetricRecord run = registry.getVersion("m1", 1).metricRuns().get(0);
      assertThat(run.values()).containsKeys("latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "requests", "error_rate");
      assertThat(run.values().get("requests")).isEqualTo(20.0);
      assertThat(registry.compare(io.modelreg.ModelUri.parse("models:/m1/1"), io.modelreg.ModelUri.parse("models:/m1/2"))
          .metrics()).containsKey("latency_p99_ms");
    }
  }
}

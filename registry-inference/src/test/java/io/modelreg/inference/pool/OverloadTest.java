package io.modelreg.inference.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests wait for memory instead of failing. Real ONNX models; their sizes are made deterministic by a
 * fake resident-memory probe that each loaded model raises by its size and lowers again when it is closed.
 * The ticker is fake, so a deadline passes only when the test moves it.
 */
class OverloadTest {
  private static final long MB = 1 << 20;
  private static final Map<String, Object> ROW = Map.of("f00", 0.5, "f01", -1.0);

  @TempDir Path dir;
  private ModelRegistry registry;
  private final AtomicLong rss = new AtomicLong(1000 * MB);
  private final AtomicLong now = new AtomicLong();
  private final Map<String, Long> sizes = new ConcurrentHashMap<>();
  private final List<String> loadOrder = new CopyOnWriteArrayList<>();
  private ExecutorService threads;
  /** Runs in the loader before each load, under the pool's load lock. */
  private volatile java.util.function.Consumer<String> beforeLoad = name -> {};

  /** A real predictor whose resident cost the fake probe sees until it is closed. */
  static final class Sized implements AutoCloseable {
    final ModelPredictor predictor;
    private final long bytes;
    private final AtomicLong rss;

    Sized(ModelPredictor predictor, long bytes, AtomicLong rss) {
      this.predictor = predictor;
      this.bytes = bytes;
      this.rss = rss;
      rss.addAndGet(bytes);
    }

    @Override
    public void close() {
      predictor.close();
      rss.addAndGet(-bytes);
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    registry = ModelRegistries.open(dir.resolve("registry").toUri());
    Path onnx = dir.resolve("model.onnx");
    io.modelreg.inference.TwoFeatureModelAccess.saveOnnx(onnx);
    ModelBundle bundle = ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(List.of("f00", "f01")))
        .labels(List.of("a", "b")).build();
    for (int i = 1; i <= 6; i++) {
      bundle.register(registry, "m" + i, Registration.builder());
      sizes.put("m" + i, 40 * MB);
      registry.setVersionTag("m" + i, 1, ModelPool.SIZE_TAG, Long.toString(40 * MB)); // measured by an earlier start
    }
    threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
    registry.close();
  }

  private ModelPool.Loader<Sized> loader() {
    return (r, v) -> {
      loadOrder.add(v.name());
      beforeLoad.accept(v.name());
      ModelPredictor p = ModelPredictor.load(r, v.uri(), PredictorOptions.defaults().cacheDirectory(dir.resolve("cache")));
      return new Sized(p, sizes.get(v.name()), rss);
    };
  }

  private ModelPool.Builder<Sized> pool(long budgetMb) {
    return ModelPool.builder(registry, loader()).budget(MemoryBudget.bytes(budgetMb * MB)).memoryProbe(rss::get)
        .ticker(now::get).backgroundMaintenance(false).acquireTimeout(Duration.ofSeconds(10));
  }

  private static void awaitWaiting(ModelPool<?> pool, int n) {
    while (pool.snapshot().waiting() < n) {
      Thread.onSpinWait(); // a state change made by another thread, not a timing
    }
  }

  private Future<float[]> predictLater(ModelPool<Sized> pool, String uri) {
    return threads.submit(() -> pool.call(uri, lease -> lease.model().predictor.predict(ROW)));
  }

  @Test
  void aRequestWaitsForALeaseToEndWhileHitsAndFittingLoadsGoAhead() throws Exception {
    try (ModelPool<Sized> p = pool(100).build()) {
      ModelPool<Sized>.Lease a = p.acquire("models:/m1/1");
      ModelPool<Sized>.Lease b = p.acquire("models:/m2/1");
      Future<float[]> waiting = predictLater(p, "models:/m3/1"); // 80 of 100 MB in use: 40 more do not fit
      awaitWaiting(p, 1);

      float[] hit = p.call("models:/m1/1", lease -> lease.model().predictor.predict(ROW)); // a hit
      assertThat(hit).hasSize(2);
      sizes.put("m4", 10 * MB);
      registry.setVersionTag("m4", 1, ModelPool.SIZE_TAG, Long.toString(10 * MB));
      try (ModelPool<Sized>.Lease small = p.acquire("models:/m4/1")) { // fits in the free 20 MB: not queued
        assertThat(small.version().name()).isEqualTo("m4");
      }
      assertThat(waiting).isNotDone();

      b.close(); // m2 idle now: evicted for the waiter
      assertThat(waiting.get(60, TimeUnit.SECONDS)).hasSize(2);
      a.close();
      PoolSnapshot s = p.snapshot();
      assertThat(s.refused()).isZero();
      assertThat(s.waited()).isEqualTo(1);
      assertThat(s.bytesInUse()).isLessThanOrEqualTo(100 * MB);
    }
  }

  @Test
  void waitersAreServedInArrivalOrder() throws Exception {
    try (ModelPool<Sized> p = pool(80).build()) {
      ModelPool<Sized>.Lease a = p.acquire("models:/m1/1");
      ModelPool<Sized>.Lease b = p.acquire("models:/m2/1");
      loadOrder.clear();
      Future<float[]> first = predictLater(p, "models:/m3/1");
      awaitWaiting(p, 1);
      Future<float[]> second = predictLater(p, "models:/m4/1");
      awaitWaiting(p, 2);
      Future<float[]> third = predictLater(p, "models:/m5/1");
      awaitWaiting(p, 3);

      a.close(); // one slot: the first waiter gets it; each later slot (a finished request) goes to the next
      assertThat(first.get(60, TimeUnit.SECONDS)).hasSize(2);
      assertThat(second.get(60, TimeUnit.SECONDS)).hasSize(2);
      assertThat(third.get(60, TimeUnit.SECONDS)).hasSize(2);
      assertThat(loadOrder).containsExactly("m3", "m4", "m5");
      b.close();
    }
  }

  @Test
  void aFullQueueAndAPassedDeadlineEachSaySo() throws Exception {
    try (ModelPool<Sized> p = pool(80).maxWaiting(1).build()) {
      ModelPool<Sized>.Lease a = p.acquire("models:/m1/1");
      ModelPool<Sized>.Lease b = p.acquire("models:/m2/1");
      Future<float[]> waiting = predictLater(p, "models:/m3/1");
      awaitWaiting(p, 1);

      assertThatThrownBy(() -> p.predict("models:/m4/1", ROW)).isInstanceOfSatisfying(PoolOverloadedException.class,
          e -> assertThat(e.reason()).isEqualTo(PoolOverloadedException.Reason.QUEUE_FULL))
          .hasMessageContaining("wait queue is full (1 of 1 waiting)");

      now.addAndGet(Duration.ofSeconds(11).toNanos());
      p.maintain(); // makes waiters look at the ticker
      assertThatThrownBy(() -> waiting.get(60, TimeUnit.SECONDS)).cause()
          .isInstanceOfSatisfying(PoolOverloadedException.class,
              e -> assertThat(e.reason()).isEqualTo(PoolOverloadedException.Reason.DEADLINE_PASSED))
          .hasMessageContaining("waited 11000 ms").hasMessageContaining("deadline passed");
      assertThatThrownBy(() -> p.acquire("models:/m3/1", Duration.ZERO))
          .isInstanceOfSatisfying(PoolOverloadedException.class,
              e -> assertThat(e.reason()).isEqualTo(PoolOverloadedException.Reason.DEADLINE_PASSED));
      assertThat(p.snapshot().refused()).isEqualTo(3);
      a.close();
      b.close();
    }
  }

  /**
   * Models evicted to make room for one load were closed only when that load got the load lock; another load
   * admitted earlier could run first, with the evicted model still resident but no longer accounted.
   */
  @Test
  void aLoadStartsOnlyAfterEveryEvictedModelIsClosed() throws Exception {
    for (String small : List.of("m4", "m5")) {
      sizes.put(small, 10 * MB);
      registry.setVersionTag(small, 1, ModelPool.SIZE_TAG, Long.toString(10 * MB));
    }
    CountDownLatch m4Loading = new CountDownLatch(1);
    CountDownLatch m4Go = new CountDownLatch(1);
    Map<String, Long> residentAtStart = new ConcurrentHashMap<>();
    beforeLoad = name -> {
      residentAtStart.put(name, rss.get() - 1000 * MB);
      if (name.equals("m4")) {
        m4Loading.countDown();
        try {
          m4Go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    try (ModelPool<Sized> p = pool(100).build()) {
      ModelPool<Sized>.Lease a = p.acquire("models:/m1/1");
      ModelPool<Sized>.Lease b = p.acquire("models:/m2/1");
      Thread waiter = thread(p, "models:/m3/1"); // 80 of 100 MB in use: waits for room
      awaitWaiting(p, 1);
      Thread m4 = thread(p, "models:/m4/1"); // fits as is: loads, and holds the load lock until m4Go
      m4Loading.await();
      Thread m5 = thread(p, "models:/m5/1"); // fits as is too: admitted, queued for the load lock
      awaitState(m5, Thread.State.WAITING);
      b.close(); // m2 evicted for the waiter, which then queues for the load lock behind m5
      awaitState(waiter, Thread.State.WAITING);
      m4Go.countDown();
      for (Thread t : List.of(waiter, m4, m5)) {
        t.join();
      }
      assertThat(residentAtStart).as("resident MB at each load's start").containsEntry("m5", 50 * MB); // m1 + m4
      assertThat(residentAtStart.get("m3")).isLessThanOrEqualTo(60 * MB); // m1 + m4 + m5, never m2
      a.close();
      assertThat(rss.get() - 1000 * MB).isEqualTo(p.snapshot().bytesInUse());
    }
  }

  private Thread thread(ModelPool<Sized> pool, String uri) {
    Thread t = new Thread(() -> pool.call(uri, lease -> lease.model().predictor.predict(ROW)), "request " + uri);
    t.start();
    return t;
  }

  private static void awaitState(Thread t, Thread.State state) {
    while (t.getState() != state) {
      Thread.onSpinWait(); // a state change made by another thread, not a timing
    }
  }

  /** The case, scaled down: six models, room for two, four threads asking for random ones. */
  @Test
  void underOverloadEveryRequestIsAnswered() throws Exception {
    try (ModelPool<Sized> p = pool(100).build()) {
      int threadsCount = 4;
      int perThread = 60;
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < threadsCount; t++) {
        long seed = t;
        workers.add(threads.submit(() -> {
          Random random = new Random(seed);
          go.await();
          int answered = 0;
          for (int i = 0; i < perThread; i++) {
            String uri = "models:/m" + (1 + random.nextInt(6)) + "/1";
            if (p.call(uri, lease -> lease.model().predictor.predict(ROW)).length == 2) {
              answered++;
            }
            assertThat(p.snapshot().bytesInUse()).isLessThanOrEqualTo(100 * MB);
          }
          return answered;
        }));
      }
      go.countDown();
      int answered = 0;
      for (Future<Integer> w : workers) {
        answered += w.get(300, TimeUnit.SECONDS);
      }
      assertThat(answered).isEqualTo(threadsCount * perThread);
      PoolSnapshot s = p.snapshot();
      assertThat(s.refused()).isZero();
      assertThat(s.arms().values().stream().mapToLong(PoolSnapshot.Stats::errors).sum()).isZero();
      assertThat(s.loads()).isGreaterThan(6); // models really were evicted and loaded again
      assertThat(rss.get() - 1000 * MB).isEqualTo(s.bytesInUse()); // every unload was closed and accounted
    }
  }
}

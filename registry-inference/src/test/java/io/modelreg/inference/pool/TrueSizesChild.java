package io.modelreg.inference.pool;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The JVM in which {@link TrueSizesTest} measures, started with a fixed, pre-touched heap so that resident
 * memory moves only with what native code (the models) allocates. It prints what it sees, one fact a line,
 * and the test checks them:
 *
 * <ol>
 *   <li>Warm-up: each model loaded, asked once ({@code ANSWER}) and closed, outside any pool, so that engine
 *       start, class loading and the local cache are behind us.
 *   <li>Quiet phase, a first pool: one model at a time ({@code maxModels(1)}), one thread. What it measures
 *       ({@code OBS quiet}) is each model's cost alone; it records them in the {@code pool.size_bytes} tags.
 *   <li>Busy phase, a second pool (a restart, reading those tags) with room for the two largest models
 *       only: {@value #THREADS} threads ask for random models in {@value #ROUNDS} rounds, so loads,
 *       evictions and predictions of other models overlap. Every measurement ({@code OBS busy}); the
 *       accounted bytes against resident growth since the baseline at the start of every load, under the
 *       pool's load lock ({@code LOADSTART}), and at the end of each round, with no lease held ({@code
 *       CHECK}); the most bytes the pool ever accounted ({@code MAXACCOUNTED}); what it kept ({@code KEPT});
 *       its counters ({@code POOL}); and resident growth once the pool is closed ({@code AFTER}).
 * </ol>
 *
 * <p>Arguments: registry directory, cache directory, then the model names (each {@code models:/name/1}).
 */
public final class TrueSizesChild {
  static final Map<String, Object> ROW = Map.of("f00", 0.5, "f01", -1.0);
  static final int THREADS = 4;
  static final int ROUNDS = 3;
  static final int REQUESTS_PER_ROUND = 4;
  /**
   * Budget above the two largest recorded sizes. A re-measurement a few MB above the recorded size (seen: up
   * to 4.4 MB, twice at once) is accounted, and with both models leased the pool cannot evict for it: the
   * documented moment the accounts may pass the budget. The slack keeps that out of this test, and stays
   * well below the smallest model (36 MB), so three models never fit.
   */
  static final long SLACK = 20L << 20;

  private TrueSizesChild() {}

  /** A loaded predictor whose closing the child sees. */
  static final class Loaded implements AutoCloseable {
    final String name;
    final ModelPredictor predictor;
    private final Map<String, Integer> open;

    Loaded(String name, ModelPredictor predictor, Map<String, Integer> open) {
      this.name = name;
      this.predictor = predictor;
      this.open = open;
      open.merge(name, 1, Integer::sum);
    }

    @Override
    public void close() {
      predictor.close();
      open.computeIfPresent(name, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  /** The models loaded and not closed, each as often as it is open, in name order. */
  static String open(Map<String, Integer> open) {
    List<String> names = new ArrayList<>();
    new TreeMap<>(open).forEach((name, n) -> names.addAll(java.util.Collections.nCopies(n, name)));
    return String.join(",", names);
  }

  /**
   * The pool's own probe ({@link MemoryProbe#detect()}), which also prints each measurement: the pool reads
   * it once before a load and once after the warm-up, so the reading after {@link #loading} is that load's.
   */
  static final class Recorder implements MemoryProbe {
    private final MemoryProbe real;
    private volatile String phase = "";
    private volatile @Nullable ModelPool<?> busy;
    private volatile long baseline;
    private String loading = "";
    private long before;

    Recorder(MemoryProbe real) {
      this.real = real;
    }

    @Override
    public synchronized long residentBytes() {
      long now = real.residentBytes();
      if (loading.isEmpty()) {
        before = now;
      } else {
        say("OBS " + phase + " " + loading + " " + (now - before));
        loading = "";
      }
      return now;
    }

    /**
     * Called by the loader before it loads, so under the pool's load lock: in the busy phase, says what is
     * accounted (including this load's reservation) and how far resident memory has grown.
     */
    synchronized void loading(String name, Map<String, Integer> open) {
      ModelPool<?> pool = busy;
      if (pool != null) {
        say("LOADSTART " + name + " " + pool.snapshot().bytesInUse() + " " + (real.residentBytes() - baseline)
            + " " + open(open));
      }
      loading = name;
    }

    synchronized void failed() {
      loading = "";
    }
  }

  static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static String uri(String name) {
    return "models:/" + name + "/1";
  }

  private static ModelPool.Builder<Loaded> pool(ModelRegistry registry, PredictorOptions options, Recorder probe,
      Map<String, Integer> open) {
    ModelPool.Loader<ModelPredictor> predictors = ModelPool.predictors(options);
    ModelPool.Loader<Loaded> loader = new ModelPool.Loader<>() {
      @Override
      public Loaded load(ModelRegistry r, ModelVersion v) {
        probe.loading(v.name(), open);
        try {
          return new Loaded(v.name(), predictors.load(r, v), open);
        } catch (RuntimeException e) {
          probe.failed();
          throw e;
        }
      }

      @Override
      public void warmUp(Loaded model) {
        predictors.warmUp(model.predictor);
      }
    };
    return ModelPool.builder(registry, loader).memoryProbe(probe).backgroundMaintenance(false);
  }

  public static void main(String[] args) throws Exception {
    PredictorOptions options = PredictorOptions.defaults().cacheDirectory(Path.of(args[1]));
    List<String> names = List.of(args).subList(2, args.length);
    MemoryProbe real = MemoryProbe.detect();
    if (real.residentBytes() < 0) {
      say("NOPROBE");
      return;
    }
    try (ModelRegistry registry = ModelRegistries.open(Path.of(args[0]).toUri())) {
      for (String name : names) {
        try (ModelPredictor p = ModelPredictor.load(registry, ModelUri.parse(uri(name)), options)) {
          float[] y = p.predict(ROW);
          say("ANSWER warmup " + name + " " + y[0] + " " + y[1]);
        }
      }

      Map<String, Integer> open = new ConcurrentHashMap<>();
      Recorder probe = new Recorder(real);
      probe.phase = "quiet";
      try (ModelPool<Loaded> quiet = pool(registry, options, probe, open)
          .budget(MemoryBudget.bytes(1L << 30)).maxModels(1).build()) {
        for (String name : names) {
          quiet.call(uri(name), lease -> lease.model().predictor.predict(ROW));
        }
      }
      System.gc();
      long baseline = real.residentBytes();
      say("BASELINE " + baseline + " loaded " + open(open));

      List<Long> recorded = new ArrayList<>();
      for (String name : names) {
        recorded.add(Long.parseLong(registry.getVersion(name, 1).tags().get(ModelPool.SIZE_TAG)));
      }
      recorded.sort(java.util.Comparator.reverseOrder());
      long budget = recorded.get(0) + recorded.get(1) + SLACK;
      say("BUDGET " + budget);

      probe.phase = "busy";
      AtomicLong maxAccounted = new AtomicLong();
      AtomicInteger round = new AtomicInteger();
      try (ModelPool<Loaded> busy = pool(registry, options, probe, open).budget(MemoryBudget.bytes(budget))
          .acquireTimeout(Duration.ofMinutes(2)).build()) {
        probe.baseline = baseline;
        probe.busy = busy;
        CyclicBarrier endOfRound = new CyclicBarrier(THREADS, () -> {
          System.gc();
          long growth = real.residentBytes() - baseline;
          PoolSnapshot s = busy.snapshot();
          say("CHECK " + round.incrementAndGet() + " " + s.bytesInUse() + " " + growth + " "
              + open(open) + " " + s.loadedModels());
        });
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          long seed = 7 + t;
          workers.add(threads.submit(() -> {
            Random random = new Random(seed);
            try {
              for (int r = 0; r < ROUNDS; r++) {
                for (int i = 0; i < REQUESTS_PER_ROUND; i++) {
                  String name = names.get(random.nextInt(names.size()));
                  float[] y = busy.call(uri(name), lease -> lease.model().predictor.predict(ROW));
                  say("ANSWER busy " + name + " " + y[0] + " " + y[1]);
                  maxAccounted.accumulateAndGet(busy.snapshot().bytesInUse(), Math::max);
                }
                endOfRound.await(5, TimeUnit.MINUTES); // a guard against a hang, not a timing
              }
            } catch (Exception e) {
              say("FAILED " + e);
              endOfRound.reset(); // the others stop waiting for this thread
            }
            return null;
          }));
        }
        for (Future<?> w : workers) {
          w.get();
        }
        threads.shutdown();
        say("MAXACCOUNTED " + maxAccounted.get());
        for (String name : names) {
          ModelVersion v = registry.getVersion(name, 1);
          say("KEPT " + name + " " + v.tags().get(ModelPool.SIZE_TAG) + " " + busy.predictedSize(v));
        }
        PoolSnapshot s = busy.snapshot();
        say("POOL " + s.loads() + " " + s.evictions() + " " + s.untrustedMeasurements() + " " + s.waited() + " "
            + s.refused());
      }
      System.gc();
      say("AFTER " + (real.residentBytes() - baseline) + " loaded " + open(open));
    }
    say("DONE");
  }
}

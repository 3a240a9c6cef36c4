package io.modelreg.inference.pool;

import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.Subscription;
import io.modelreg.TransientRegistryException;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many models in one process inside a memory budget.
 *
 * <ul>
 *   <li><b>Sizes.</b> A model's size is predicted before it loads (the {@code pool.size_bytes} tag an earlier
 *       load recorded on the version, else its artifact bytes × {@link Builder#sizeFactor}, default 3), then
 *       measured after loading and one warm-up call (growth of resident memory; loads are serialised so the
 *       measurement is the model's own) and recorded on the version for the next start.
 *   <li><b>Admission.</b> A model is admitted only if its predicted size fits after evicting idle models,
 *       least recently used first; models in use (leased) and pinned models are never evicted. A model larger
 *       than the whole budget fails at once. If the measured size exceeds the prediction and nothing idle can
 *       make room, the model is unloaded as soon as its last lease ends.
 *   <li><b>Loads</b> happen once however many threads ask; a failed load is remembered for a back-off period
 *       (requests fail fast meanwhile) and does not affect other models.
 *   <li><b>Idle models</b> are unloaded after the keep-alive; at most {@code maxModels} are loaded.
 *   <li><b>Switching.</b> URIs that can move (aliases, stages, {@code latest}, ranges) are watched; when one
 *       moves, in this process or another, the new version is loaded and warmed, the URI is switched
 *       atomically, calls already running finish on the old version, which is then unloaded.
 *   <li><b>Metrics</b> per version and per requested URI (the arms of a split): requests, errors, p50/p95/p99
 *       latency; pool-wide loads, evictions, hit rate, bytes in use. {@link #recordTo} writes them to the
 *       registry as a metric run.
 * </ul>
 *
 * Thread-safe. Time comes from an injectable ticker so tests never sleep.
 */
public final class ModelPool implements AutoCloseable {
  /** The version tag holding a measured size in bytes. */
  public static final String SIZE_TAG = "pool.size_bytes";

  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(ModelPool.class);
  }

  /** Loads one version; the default goes through {@link ModelPredictor#load}. */
  @FunctionalInterface
  public interface Loader {
    ModelPredictor load(ModelRegistry registry, ModelVersion version);
  }

  private final ModelRegistry registry;
  private final MemoryBudget budget;
  private final int maxModels;
  private final long keepAliveNanos;
  private final long backoffNanos;
  private final double sizeFactor;
  private final MemoryProbe probe;
  private final LongSupplier ticker;
  private final Loader loader;
  private final Clock clock;
  private final @Nullable Routing routing;

  private final ReentrantLock lock = new ReentrantLock();
  private final ReentrantLock loadLock = new ReentrantLock();
  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<String, Failure> failures = new HashMap<>();
  private long bytesInUse;
  private final ConcurrentHashMap<String, ModelVersion> bindings = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Subscription> watches = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LatencyStats> versionStats = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LatencyStats> armStats = new ConcurrentHashMap<>();
  private final List<SwitchListener> switchListeners = new CopyOnWriteArrayList<>();
  private final LongAdder loads = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final @Nullable ScheduledExecutorService maintenance;
  private volatile boolean closed;

  /** Told when a URI switches to another version. */
  @FunctionalInterface
  public interface SwitchListener {
    /**
     * Called after the switch.
     *
     * @param atNanos the pool ticker just before the switch: calls starting earlier may still get {@code from}
     */
    void switched(String uri, ModelVersion from, ModelVersion to, long atNanos);
  }

  private record Failure(RuntimeException error, long at) {}

  /** One loaded (or loading) version. Guarded by {@link #lock} except the future. */
  private final class Entry {
    final String key;
    final ModelVersion version;
    final CompletableFuture<ModelPredictor> predictor = new CompletableFuture<>();
    long bytes;
    int leases;
    long lastUsed;
    boolean pinned;
    boolean unloadWhenIdle;

    Entry(ModelVersion version, long bytes) {
      this.key = key(version);
      this.version = version;
      this.bytes = bytes;
    }

    boolean evictable() {
      return leases == 0 && !pinned && predictor.isDone() && !predictor.isCompletedExceptionally();
    }
  }

  /** A version held in memory until the lease is closed. */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private final ModelPredictor predictor;
    private boolean released;

    private Lease(Entry entry, ModelPredictor predictor) {
      this.entry = entry;
      this.predictor = predictor;
    }

    public ModelPredictor predictor() {
      return predictor;
    }

    public ModelVersion version() {
      return entry.version;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        release(entry);
      }
    }
  }

  private ModelPool(Builder b) {
    this.registry = b.registry;
    this.budget = b.budget != null ? b.budget : MemoryBudget.automatic(PlatformFacts.detect());
    this.maxModels = b.maxModels;
    this.keepAliveNanos = b.keepAlive.toNanos();
    this.backoffNanos = b.failureBackoff.toNanos();
    this.sizeFactor = b.sizeFactor;
    this.probe = b.probe != null ? b.probe : MemoryProbe.detect();
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.routing = b.routing;
    PredictorOptions options = b.predictorOptions;
    this.loader = b.loader != null ? b.loader
        : (r, v) -> ModelPredictor.load(r, v.uri(), options);
    if (b.backgroundMaintenance && keepAliveNanos > 0) {
      ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "modelreg-pool-maintenance");
        t.setDaemon(true);
        return t;
      });
      long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), keepAliveNanos / 2);
      ex.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.NANOSECONDS);
      maintenance = ex;
    } else {
      maintenance = null;
    }
  }

  public static Builder builder(ModelRegistry registry) {
    return new Builder(registry);
  }

  private static String key(ModelVersion v) {
    return v.name() + "/" + v.number();
  }

  // ================================================================== requests

  /**
   * Predicts one row with the version {@code uri} names now.
   *
   * @throws ModelPoolException when the model cannot be admitted or failed to load recently
   * @throws TransientRegistryException when every loaded model is in use and the budget is full
   */
  public PoolPrediction predict(String uri, Map<String, ?> row) {
    long start = ticker.getAsLong();
    boolean failed = true;
    ModelVersion version = null;
    try (Lease lease = acquire(uri)) {
      version = lease.version();
      float[] out = lease.predictor().predict(row);
      failed = false;
      return new PoolPrediction(uri, version, out);
    } finally {
      long nanos = ticker.getAsLong() - start;
      armStats.computeIfAbsent(uri, k -> new LatencyStats()).record(nanos, failed);
      if (version != null) {
        versionStats.computeIfAbsent(key(version), k -> new LatencyStats()).record(nanos, failed);
      }
    }
  }

  /** Predicts with the URI {@link Routing} chooses for {@code routeKey} and {@code stickyKey}. */
  public PoolPrediction predictRouted(String routeKey, String stickyKey, Map<String, ?> row) {
    Routing r = routing;
    if (r == null) {
      throw new IllegalStateException("This pool has no routing; set it with ModelPool.Builder.routing");
    }
    return predict(r.uriFor(routeKey, stickyKey), row);
  }

  /** Holds the version {@code uri} names now, loading it if needed; close the lease when done. */
  public Lease acquire(String uri) {
    requireOpen();
    return acquire(bound(uri));
  }

  /** The version {@code uri} is bound to, resolving and watching it the first time. */
  private ModelVersion bound(String uri) {
    ModelVersion v = bindings.get(uri);
    if (v != null) {
      return v;
    }
    ModelUri parsed = ModelUri.parse(uri);
    if (!parsed.isImmutable()) {
      watches.computeIfAbsent(parsed.name(), name -> registry.watch(name, this::onEvent));
    }
    ModelVersion resolved = registry.resolve(parsed);
    ModelVersion raced = bindings.putIfAbsent(uri, resolved);
    return raced != null ? raced : resolved;
  }

  private Lease acquire(ModelVersion version) {
    String key = key(version);
    Entry entry;
    boolean loadHere = false;
    List<Entry> evicted = new ArrayList<>();
    lock.lock();
    try {
      entry = entries.get(key);
      if (entry == null) {
        Failure f = failures.get(key);
        if (f != null && ticker.getAsLong() - f.at() < backoffNanos) {
          throw new ModelPoolException(key + " failed to load " + Duration.ofNanos(ticker.getAsLong() - f.at()).toMillis()
              + " ms ago and is in back-off: " + f.error().getMessage(), f.error());
        }
        long predicted = predictedSize(version);
        if (predicted > budget.limit()) {
          throw new ModelPoolException(key + " needs about " + predicted + " bytes, more than the whole budget of "
              + budget.limit() + " bytes (" + budget.explanation() + ")", null);
        }
        makeRoom(predicted, null, evicted);
        entry = new Entry(version, predicted);
        entries.put(key, entry);
        bytesInUse += predicted;
        loadHere = true;
        misses.increment();
      } else if (!entry.predictor.isDone()) {
        misses.increment();
      } else {
        hits.increment();
      }
      entry.leases++;
      entry.lastUsed = ticker.getAsLong();
    } finally {
      lock.unlock();
    }
    closeAll(evicted);
    if (loadHere) {
      load(entry);
    }
    try {
      return new Lease(entry, entry.predictor.join());
    } catch (RuntimeException e) {
      release(entry);
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw cause instanceof RuntimeException ? (RuntimeException) cause : e;
    }
  }

  private void load(Entry entry) {
    ModelPredictor predictor = null;
    long measured = -1;
    loadLock.lock();
    try {
      long before = probe.residentBytes();
      predictor = loader.load(registry, entry.version);
      predictor.warmUp();
      long after = probe.residentBytes();
      measured = before >= 0 && after > before ? after - before : -1;
      loads.increment();
    } catch (RuntimeException e) {
      lock.lock();
      try {
        entries.remove(entry.key);
        bytesInUse -= entry.bytes;
        failures.put(entry.key, new Failure(e, ticker.getAsLong()));
      } finally {
        lock.unlock();
      }
      entry.predictor.completeExceptionally(e);
      return;
    } finally {
      loadLock.unlock();
    }
    List<Entry> evicted = new ArrayList<>();
    lock.lock();
    try {
      failures.remove(entry.key);
      if (measured > 0) {
        bytesInUse += measured - entry.bytes;
        entry.bytes = measured;
        if (bytesInUse > budget.limit()) {
          makeRoom(0, entry, evicted);
          if (bytesInUse > budget.limit()) {
            entry.unloadWhenIdle = true;
          }
        }
      }
    } finally {
      lock.unlock();
    }
    closeAll(evicted);
    entry.predictor.complete(predictor);
    if (measured > 0) {
      recordSize(entry.version, measured);
    }
  }

  private void recordSize(ModelVersion v, long bytes) {
    try {
      registry.setVersionTag(v.name(), v.number(), SIZE_TAG, Long.toString(bytes));
    } catch (RegistryException | IllegalArgumentException e) {
      Log.LOG.warn("Could not record the measured size of {}: {}", v.uri(), e.toString());
    }
  }

  /** The size to reserve before loading: the recorded measurement, else artifact bytes × the size factor. */
  long predictedSize(ModelVersion v) {
    String recorded = v.tags().get(SIZE_TAG);
    if (recorded != null) {
      try {
        long bytes = Long.parseLong(recorded);
        if (bytes > 0) {
          return bytes;
        }
      } catch (NumberFormatException e) {
        // fall back to the estimate
      }
    }
    return (long) Math.ceil(v.manifest().totalSize() * sizeFactor);
  }

  /**
   * Evicts idle models, least recently used first, until {@code needed} more bytes and one more model fit.
   * Caller holds the lock.
   *
   * @throws TransientRegistryException when only models in use or pinned are left
   */
  private void makeRoom(long needed, @Nullable Entry keep, List<Entry> evicted) {
    while (bytesInUse + needed > budget.limit() || (needed > 0 && loadedCount() + 1 > maxModels)) {
      Entry lru = null;
      for (Entry e : entries.values()) {
        if (e != keep && e.evictable() && (lru == null || e.lastUsed < lru.lastUsed)) {
          lru = e;
        }
      }
      if (lru == null) {
        if (needed == 0) {
          return;
        }
        throw new TransientRegistryException("The model pool is full: " + bytesInUse + " of " + budget.limit()
            + " bytes and " + loadedCount() + " of " + maxModels + " models are in use or pinned; retry later", null);
      }
      remove(lru, evicted);
    }
  }

  private int loadedCount() {
    return entries.size();
  }

  /** Removes an entry from the accounts; its predictor is closed by the caller outside the lock. */
  private void remove(Entry e, List<Entry> evicted) {
    entries.remove(e.key);
    bytesInUse -= e.bytes;
    evictions.increment();
    evicted.add(e);
  }

  private static void closeAll(List<Entry> evicted) {
    for (Entry e : evicted) {
      ModelPredictor p = e.predictor.getNow(null);
      if (p != null) {
        p.close();
      }
    }
  }

  private void release(Entry entry) {
    List<Entry> evicted = new ArrayList<>();
    lock.lock();
    try {
      entry.leases--;
      entry.lastUsed = ticker.getAsLong();
      if (entry.leases == 0 && entries.get(entry.key) == entry && entry.unloadWhenIdle) {
        remove(entry, evicted);
      }
    } finally {
      lock.unlock();
    }
    closeAll(evicted);
  }

  // ================================================================== pins, maintenance

  /** Keeps the version {@code uri} names loaded until {@link #unpin}; loads it now if needed. */
  public void pin(String uri) {
    try (Lease lease = acquire(uri)) {
      lock.lock();
      try {
        lease.entry.pinned = true;
      } finally {
        lock.unlock();
      }
    }
  }

  public void unpin(String uri) {
    ModelVersion v = bindings.get(uri);
    if (v == null) {
      return;
    }
    lock.lock();
    try {
      Entry e = entries.get(key(v));
      if (e != null) {
        e.pinned = false;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Unloads models idle longer than the keep-alive. Runs by itself when background maintenance is on. */
  public void maintain() {
    if (keepAliveNanos <= 0) {
      return;
    }
    List<Entry> evicted = new ArrayList<>();
    lock.lock();
    try {
      long now = ticker.getAsLong();
      for (Entry e : List.copyOf(entries.values())) {
        if (e.evictable() && now - e.lastUsed >= keepAliveNanos) {
          remove(e, evicted);
        }
      }
    } finally {
      lock.unlock();
    }
    closeAll(evicted);
  }

  // ================================================================== switching

  /** Registers a listener told when a watched URI switches versions. */
  public void onSwitch(SwitchListener listener) {
    switchListeners.add(listener);
  }

  private void onEvent(RegistryEvent event) {
    if (closed) {
      return;
    }
    for (Map.Entry<String, ModelVersion> binding : new ArrayList<>(bindings.entrySet())) {
      ModelUri uri = ModelUri.parse(binding.getKey());
      if (!uri.name().equals(event.model()) || uri.isImmutable()) {
        continue;
      }
      try {
        rebind(binding.getKey(), uri);
      } catch (RuntimeException e) {
        Log.LOG.warn("Could not switch {} after {}: {}", binding.getKey(), event, e.toString());
      }
    }
  }

  /** Re-resolves a URI; if it moved, loads and warms the new version, switches, and retires the old one. */
  void rebind(String uriText, ModelUri uri) {
    ModelVersion old = bindings.get(uriText);
    ModelVersion now = registry.find(uri).orElse(null);
    if (now == null || old == null || key(now).equals(key(old))) {
      return;
    }
    long at;
    try (Lease warm = acquire(now)) {
      at = ticker.getAsLong();
      bindings.put(uriText, warm.version());
    }
    for (SwitchListener l : switchListeners) {
      l.switched(uriText, old, now, at);
    }
    boolean stillBound = bindings.values().stream().anyMatch(v -> key(v).equals(key(old)));
    if (!stillBound) {
      List<Entry> evicted = new ArrayList<>();
      lock.lock();
      try {
        Entry e = entries.get(key(old));
        if (e != null && !e.pinned) {
          e.unloadWhenIdle = true;
          if (e.leases == 0) {
            remove(e, evicted);
          }
        }
      } finally {
        lock.unlock();
      }
      closeAll(evicted);
    }
    Log.LOG.info("Switched {} from {} to {}", uriText, old.uri(), now.uri());
  }

  /** The version {@code uri} is bound to now, if it has been used. */
  public java.util.Optional<ModelVersion> binding(String uri) {
    return java.util.Optional.ofNullable(bindings.get(uri));
  }

  // ================================================================== metrics

  public PoolSnapshot snapshot() {
    lock.lock();
    long used;
    int loaded;
    try {
      used = bytesInUse;
      loaded = entries.size();
    } finally {
      lock.unlock();
    }
    return new PoolSnapshot(budget.limit(), used, loaded, loads.sum(), evictions.sum(), hits.sum(), misses.sum(),
        stats(versionStats), stats(armStats));
  }

  private static Map<String, PoolSnapshot.Stats> stats(Map<String, LatencyStats> source) {
    Map<String, PoolSnapshot.Stats> out = new LinkedHashMap<>();
    new java.util.TreeMap<>(source).forEach((k, v) -> {
      LatencyStats.Snapshot s = v.snapshot();
      out.put(k, new PoolSnapshot.Stats(s.requests(), s.errors(), s.p50Micros(), s.p95Micros(), s.p99Micros()));
    });
    return out;
  }

  /**
   * Writes each served version's figures as a metric run ({@code latency_p50_ms}, {@code latency_p95_ms},
   * {@code latency_p99_ms}, {@code requests}, {@code error_rate}), so versions can be compared with
   * {@link ModelRegistry#compare}. Returns how many versions were recorded.
   */
  public int recordTo(ModelRegistry target) {
    PoolSnapshot snapshot = snapshot();
    int recorded = 0;
    String runId = "pool-" + clock.instant();
    for (Map.Entry<String, PoolSnapshot.Stats> e : snapshot.versions().entrySet()) {
      PoolSnapshot.Stats s = e.getValue();
      if (s.requests() == 0) {
        continue;
      }
      int slash = e.getKey().lastIndexOf('/');
      Map<String, Double> values = new LinkedHashMap<>();
      values.put("latency_p50_ms", s.p50Micros() / 1000);
      values.put("latency_p95_ms", s.p95Micros() / 1000);
      values.put("latency_p99_ms", s.p99Micros() / 1000);
      values.put("requests", (double) s.requests());
      values.put("error_rate", (double) s.errors() / s.requests());
      target.recordMetrics(e.getKey().substring(0, slash), Integer.parseInt(e.getKey().substring(slash + 1)),
          new MetricRecord(runId, clock.instant(), values, "measured by ModelPool"));
      recorded++;
    }
    return recorded;
  }

  // ================================================================== lifecycle

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("The model pool is closed");
    }
  }

  /** Stops watching, and unloads every model (leases still open keep working until closed). */
  @Override
  public void close() {
    closed = true;
    watches.values().forEach(Subscription::close);
    ScheduledExecutorService m = maintenance;
    if (m != null) {
      m.shutdownNow();
    }
    List<Entry> evicted = new ArrayList<>();
    lock.lock();
    try {
      for (Entry e : List.copyOf(entries.values())) {
        if (e.leases == 0) {
          remove(e, evicted);
        } else {
          e.unloadWhenIdle = true;
        }
      }
    } finally {
      lock.unlock();
    }
    closeAll(evicted);
  }

  /** Builder for {@link ModelPool}. */
  public static final class Builder {
    private final ModelRegistry registry;
    private @Nullable MemoryBudget budget;
    private int maxModels = Integer.MAX_VALUE;
    private Duration keepAlive = Duration.ofMinutes(30);
    private Duration failureBackoff = Duration.ofSeconds(30);
    private double sizeFactor = 3.0;
    private @Nullable MemoryProbe probe;
    private LongSupplier ticker = System::nanoTime;
    private Clock clock = Clock.systemUTC();
    private @Nullable Loader loader;
    private PredictorOptions predictorOptions = PredictorOptions.defaults();
    private @Nullable Routing routing;
    private boolean backgroundMaintenance = true;

    private Builder(ModelRegistry registry) {
      this.registry = Objects.requireNonNull(registry);
    }

    /** The memory budget; default {@link MemoryBudget#automatic} for this machine. */
    public Builder budget(MemoryBudget budget) {
      this.budget = budget;
      return this;
    }

    public Builder maxModels(int maxModels) {
      if (maxModels < 1) {
        throw new IllegalArgumentException("maxModels must be at least 1");
      }
      this.maxModels = maxModels;
      return this;
    }

    /** How long an idle model stays loaded; zero keeps models until they are evicted for room. */
    public Builder keepAlive(Duration keepAlive) {
      if (keepAlive.isNegative()) {
        throw new IllegalArgumentException("keepAlive must not be negative");
      }
      this.keepAlive = keepAlive;
      return this;
    }

    /** How long a failed load is remembered, failing requests fast. */
    public Builder failureBackoff(Duration backoff) {
      if (backoff.isNegative()) {
        throw new IllegalArgumentException("failureBackoff must not be negative");
      }
      this.failureBackoff = backoff;
      return this;
    }

    /** Predicted size = artifact bytes × factor, when no measured size is recorded; default 3. */
    public Builder sizeFactor(double factor) {
      if (!(factor >= 1)) {
        throw new IllegalArgumentException("sizeFactor must be at least 1, got " + factor);
      }
      this.sizeFactor = factor;
      return this;
    }

    public Builder memoryProbe(MemoryProbe probe) {
      this.probe = probe;
      return this;
    }

    /** Nanosecond time source for keep-alive, back-off and latencies; tests pass a fake. */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = ticker;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder loader(Loader loader) {
      this.loader = loader;
      return this;
    }

    public Builder predictorOptions(PredictorOptions options) {
      this.predictorOptions = options;
      return this;
    }

    public Builder routing(Routing routing) {
      this.routing = routing;
      return this;
    }

    /** Whether a daemon thread applies the keep-alive; off means {@link ModelPool#maintain()} is called by hand. */
    public Builder backgroundMaintenance(boolean on) {
      this.backgroundMaintenance = on;
      return this;
    }

    public ModelPool build() {
      return new ModelPool(this);
    }
  }
}

package io.modelreg.inference.pool;

import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.Subscription;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
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
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many models in one process inside a memory budget. The pool holds any kind of loaded model {@code M}
 * (anything {@link AutoCloseable}, such as a {@link ModelPredictor} — the default — or an LLM session) that a
 * {@link Loader} makes from a registered version.
 *
 * <ul>
 *   <li><b>Sizes.</b> A model's size is predicted before it loads (the largest measurement this pool or an
 *       earlier start recorded on the version in the {@code pool.size_bytes} tag, else {@link
 *       Loader#predictedSize}, by default its artifact bytes × {@link Builder#sizeFactor}), then measured after
 *       loading and warming up as the growth of resident memory. Loads and unloads of this pool run one at a
 *       time (an unload during a load shrinks resident memory and makes the newcomer look small; a concurrent
 *       load makes it look large), so a measurement is the model's own; every load first closes all models
 *       evicted so far. The pool accounts the largest observation per version (its own measurements and the
 *       recorded tag), and records a measurement on the version when it exceeds that.
 *   <li><b>Admission.</b> A model is admitted when its predicted size fits after evicting idle models, least
 *       recently used first; models in use (leased) and pinned models are never evicted. A model larger than
 *       the whole budget fails at once. If the measured size exceeds the prediction and nothing idle can make
 *       room, the model is unloaded as soon as its last lease ends.
 *   <li><b>Waiting.</b> When a model cannot be admitted because the budget is held by models in use, the
 *       request waits in a bounded first-come-first-served queue until leases end and room can be made, up to
 *       its deadline (the caller's, or {@link Builder#acquireTimeout}). It fails with {@link
 *       PoolOverloadedException} only when the deadline passes or the queue is full, and says which. Hits on
 *       loaded models never wait, and a load that fits in free memory without evicting anything goes ahead
 *       even while others wait.
 *   <li><b>Loads</b> happen once however many threads ask; a failed load is remembered for a back-off period
 *       (requests fail fast meanwhile) and does not affect other models.
 *   <li><b>Idle models</b> are unloaded after the keep-alive; at most {@code maxModels} are loaded.
 *   <li><b>Switching.</b> URIs that can move (aliases, stages, {@code latest}, ranges) are watched; when one
 *       moves, in this process or another, the new version is loaded and warmed, the URI is switched
 *       atomically, calls already running finish on the old version, which is then unloaded.
 *   <li><b>Metrics</b> per version and per requested URI (the arms of a split): requests, errors, p50/p95/p99
 *       latency; pool-wide loads, evictions, hit rate, bytes in use, waiting and refused requests. {@link
 *       #recordTo} writes them to the registry as a metric run.
 * </ul>
 *
 * Thread-safe. Time comes from an injectable ticker so tests never sleep.
 *
 * @param <M> the kind of loaded model
 */
public final class ModelPool<M extends AutoCloseable> implements AutoCloseable {
  /** The version tag holding the largest trusted measured size in bytes. */
  public static final String SIZE_TAG = "pool.size_bytes";

  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(ModelPool.class);
  }

  /**
   * Makes a loaded model of kind {@code M} from a registered version, and says what it will cost before it
   * is loaded. Only {@link #load} is required.
   *
   * @param <M> the kind of loaded model; the pool closes it when it unloads it
   */
  @FunctionalInterface
  public interface Loader<M extends AutoCloseable> {
    /** Loads {@code version}; a runtime exception fails the requests waiting for it and starts the back-off. */
    M load(ModelRegistry registry, ModelVersion version);

    /**
     * The bytes to reserve before loading {@code version} when the pool has no measurement of it. The default
     * is its artifact bytes × {@code sizeFactor}; a loader that knows better (parameters × bytes per
     * parameter plus a KV cache, say) overrides it.
     */
    default long predictedSize(ModelVersion version, double sizeFactor) {
      return (long) Math.ceil(version.manifest().totalSize() * sizeFactor);
    }

    /** Runs once after loading, before the size is measured and the first request is served. */
    default void warmUp(M model) {}
  }

  /** The default loader: {@link ModelPredictor#load} with the pool's predictor options, warmed with one call. */
  static Loader<ModelPredictor> predictors(PredictorOptions options) {
    return new Loader<>() {
      @Override
      public ModelPredictor load(ModelRegistry registry, ModelVersion version) {
        return ModelPredictor.load(registry, version.uri(), options);
      }

      @Override
      public void warmUp(ModelPredictor model) {
        model.warmUp();
      }
    };
  }

  private final ModelRegistry registry;
  private final MemoryBudget budget;
  private final int maxModels;
  private final int maxWaiting;
  private final long acquireTimeoutNanos;
  private final long keepAliveNanos;
  private final long backoffNanos;
  private final double sizeFactor;
  private final MemoryProbe probe;
  private final LongSupplier ticker;
  private final Loader<M> loader;
  private final Clock clock;
  private final @Nullable Routing routing;

  private final ReentrantLock lock = new ReentrantLock();
  private final ReentrantLock loadLock = new ReentrantLock();
  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<String, Failure> failures = new HashMap<>();
  /** Largest trusted measurement per version key, seen or recorded. Guarded by {@link #lock}. */
  private final Map<String, Long> measured = new HashMap<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  /** Entries removed from the accounts whose model is not closed yet, whoever removed them. */
  private final java.util.Set<Entry> unclosed = ConcurrentHashMap.newKeySet();
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
  private final LongAdder waited = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder untrustedMeasurements = new LongAdder();
  private final LongAdder closes = new LongAdder();
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
    final CompletableFuture<M> model = new CompletableFuture<>();
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
      return leases == 0 && !pinned && model.isDone() && !model.isCompletedExceptionally();
    }
  }

  /** A request waiting for room. Guarded by {@link #lock}. */
  private final class Waiter {
    final ModelVersion version;
    final long bytes;
    final Condition admitted = lock.newCondition();
    @Nullable Entry entry;
    boolean loadHere;
    /** Models evicted to admit this waiter; it unloads them before it loads. */
    final List<Entry> toClose = new ArrayList<>();

    Waiter(ModelVersion version, long bytes) {
      this.version = version;
      this.bytes = bytes;
    }
  }

  /** A version held in memory until the lease is closed. */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private final M model;
    private boolean released;

    private Lease(Entry entry, M model) {
      this.entry = entry;
      this.model = model;
    }

    /** The loaded model. */
    public M model() {
      return model;
    }

    /**
     * The loaded model as a {@link ModelPredictor}.
     *
     * @throws IllegalStateException when this pool holds another kind of model
     */
    public ModelPredictor predictor() {
      return asPredictor(model);
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

  private ModelPool(Builder<M> b) {
    this.registry = b.registry;
    this.budget = b.budget != null ? b.budget : MemoryBudget.automatic(PlatformFacts.detect());
    this.maxModels = b.maxModels;
    this.maxWaiting = b.maxWaiting;
    this.acquireTimeoutNanos = b.acquireTimeout.toNanos();
    this.keepAliveNanos = b.keepAlive.toNanos();
    this.backoffNanos = b.failureBackoff.toNanos();
    this.sizeFactor = b.sizeFactor;
    this.probe = b.probe != null ? b.probe : MemoryProbe.detect();
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.routing = b.routing;
    this.loader = b.loaderFor.apply(b.predictorOptions);
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

  /** A pool of {@link ModelPredictor}s loaded with {@link ModelPredictor#load}. */
  public static Builder<ModelPredictor> builder(ModelRegistry registry) {
    return new Builder<>(registry, ModelPool::predictors);
  }

  /** A pool of models of kind {@code M} that {@code loader} makes. */
  public static <M extends AutoCloseable> Builder<M> builder(ModelRegistry registry, Loader<M> loader) {
    Objects.requireNonNull(loader, "loader");
    return new Builder<>(registry, options -> loader);
  }

  private static String key(ModelVersion v) {
    return v.name() + "/" + v.number();
  }

  private static ModelPredictor asPredictor(Object model) {
    if (model instanceof ModelPredictor) {
      return (ModelPredictor) model;
    }
    throw new IllegalStateException("This pool holds " + model.getClass().getName() + " models, not ModelPredictor;"
        + " use ModelPool.call or acquire(...).model()");
  }

  // ================================================================== requests

  /**
   * Predicts one row with the version {@code uri} names now, waiting up to the pool's acquire timeout for room.
   *
   * @throws ModelPoolException when the model cannot be admitted or failed to load recently
   * @throws PoolOverloadedException when no room was made before the deadline, or the wait queue was full
   * @throws IllegalStateException when this pool does not hold {@link ModelPredictor}s
   */
  public PoolPrediction predict(String uri, Map<String, ?> row) {
    return call(uri, lease -> new PoolPrediction(uri, lease.version(), asPredictor(lease.model()).predict(row)));
  }

  /** Predicts with the URI {@link Routing} chooses for {@code routeKey} and {@code stickyKey}. */
  public PoolPrediction predictRouted(String routeKey, String stickyKey, Map<String, ?> row) {
    Routing r = routing;
    if (r == null) {
      throw new IllegalStateException("This pool has no routing; set it with ModelPool.Builder.routing");
    }
    return predict(r.uriFor(routeKey, stickyKey), row);
  }

  /**
   * Runs {@code work} with the version {@code uri} names now, held for the duration of the call, and counts
   * it in the metrics of the version and of {@code uri} like {@link #predict}.
   *
   * @throws PoolOverloadedException when no room was made before the pool's acquire timeout, or the queue was full
   */
  public <R> R call(String uri, java.util.function.Function<? super Lease, R> work) {
    long start = ticker.getAsLong();
    boolean failed = true;
    ModelVersion version = null;
    try (Lease lease = acquire(uri)) {
      version = lease.version();
      R result = work.apply(lease);
      failed = false;
      return result;
    } finally {
      long nanos = ticker.getAsLong() - start;
      armStats.computeIfAbsent(uri, k -> new LatencyStats()).record(nanos, failed);
      if (version != null) {
        versionStats.computeIfAbsent(key(version), k -> new LatencyStats()).record(nanos, failed);
      }
    }
  }

  /** Holds the version {@code uri} names now, loading it if needed; close the lease when done. */
  public Lease acquire(String uri) {
    return acquire(uri, Duration.ofNanos(acquireTimeoutNanos));
  }

  /**
   * Holds the version {@code uri} names now, loading it if needed and waiting up to {@code timeout} for room.
   *
   * @throws PoolOverloadedException when the timeout passes first, or the wait queue is full
   */
  public Lease acquire(String uri, Duration timeout) {
    requireOpen();
    return acquire(bound(uri), timeout.toNanos());
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

  private Lease acquire(ModelVersion version, long timeoutNanos) {
    String key = key(version);
    Entry entry;
    boolean loadHere = false;
    List<Entry> evicted = new ArrayList<>();
    List<Entry> toClose = evicted;
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
        misses.increment();
        boolean admitted = waiters.isEmpty() ? makeRoom(predicted, null, evicted) : fitsAsIs(predicted);
        if (admitted) {
          entry = admit(version, predicted);
          loadHere = true;
        } else {
          Waiter w = await(version, predicted, timeoutNanos, evicted);
          entry = Objects.requireNonNull(w.entry);
          loadHere = w.loadHere;
          toClose = w.toClose;
        }
      } else {
        if (entry.model.isDone()) {
          hits.increment();
        } else {
          misses.increment();
        }
        entry.leases++;
      }
      entry.lastUsed = ticker.getAsLong();
    } finally {
      lock.unlock();
      if (!loadHere) {
        closeAll(evicted);
        closeAll(toClose);
      }
    }
    if (loadHere) {
      if (toClose != evicted) {
        closeAll(evicted); // evicted for waiters behind this one, if any
      }
      load(entry, toClose);
    }
    try {
      return new Lease(entry, entry.model.join());
    } catch (RuntimeException e) {
      release(entry);
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw cause instanceof RuntimeException ? (RuntimeException) cause : e;
    }
  }

  /** Creates the entry of a version admitted with {@code bytes} reserved, holding one lease. Caller holds the lock. */
  private Entry admit(ModelVersion version, long bytes) {
    Entry e = new Entry(version, bytes);
    entries.put(e.key, e);
    bytesInUse += bytes;
    e.leases = 1;
    return e;
  }

  /**
   * Queues the request and waits until {@link #admitWaiters} gives it an entry (a lease already counted), or
   * its deadline passes. Caller holds the lock.
   */
  private Waiter await(ModelVersion version, long bytes, long timeoutNanos, List<Entry> evicted) {
    if (waiters.size() >= maxWaiting) {
      refused.increment();
      throw new PoolOverloadedException(PoolOverloadedException.Reason.QUEUE_FULL, key(version) + " cannot be"
          + " admitted now and the wait queue is full (" + waiters.size() + " of " + maxWaiting + " waiting); "
          + describeUse() + "; retry later", 0);
    }
    Waiter w = new Waiter(version, bytes);
    waiters.addLast(w);
    waited.increment();
    long start = ticker.getAsLong();
    long deadline = start + timeoutNanos;
    try {
      while (w.entry == null) {
        if (closed) {
          waiters.remove(w);
          throw new IllegalStateException("The model pool was closed while " + key(version) + " waited for room");
        }
        long remaining = deadline - ticker.getAsLong();
        if (remaining <= 0) {
          waiters.remove(w);
          refused.increment();
          admitWaiters(evicted); // the one behind may fit where this one did not
          throw new PoolOverloadedException(PoolOverloadedException.Reason.DEADLINE_PASSED, key(version) + " waited "
              + Duration.ofNanos(ticker.getAsLong() - start).toMillis() + " ms for " + bytes + " bytes and its deadline"
              + " passed; " + describeUse() + "; retry later", ticker.getAsLong() - start);
        }
        w.admitted.awaitNanos(remaining);
      }
      return w;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (w.entry != null) {
        return w; // admitted just before the interrupt: the caller loads and releases as usual
      }
      waiters.remove(w);
      admitWaiters(evicted);
      throw new PoolOverloadedException(PoolOverloadedException.Reason.INTERRUPTED, key(version)
          + " was interrupted while waiting for room", ticker.getAsLong() - start);
    }
  }

  private String describeUse() {
    return bytesInUse + " of " + budget.limit() + " bytes and " + entries.size() + " of "
        + (maxModels == Integer.MAX_VALUE ? "unlimited" : Integer.toString(maxModels)) + " models are in use or pinned";
  }

  /**
   * Admits waiting requests in arrival order while the first one fits (evicting idle models for it); a waiter
   * whose version another request loaded meanwhile gets that entry at once. Caller holds the lock; closes
   * of evicted models are left to the caller.
   */
  private void admitWaiters(List<Entry> evicted) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      Entry existing = entries.get(key(w.version));
      if (existing != null) {
        existing.leases++;
        w.entry = existing;
        it.remove();
        w.admitted.signal();
      }
    }
    while (!waiters.isEmpty()) {
      Waiter head = waiters.peekFirst();
      if (!makeRoom(head.bytes, null, head.toClose)) {
        return;
      }
      waiters.pollFirst();
      head.entry = admit(head.version, head.bytes);
      head.loadHere = true;
      head.admitted.signal();
      // later waiters for the same version share the new entry
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (key(w.version).equals(head.entry.key)) {
          head.entry.leases++;
          w.entry = head.entry;
          it.remove();
          w.admitted.signal();
        }
      }
    }
  }

  private void load(Entry entry, List<Entry> toClose) {
    M model = null;
    long measuredBytes = -1;
    boolean trusted = false;
    loadLock.lock();
    try {
      closeUnclosed(); // room made for this model, and any made for others: unload before loading
      toClose.clear();
      // Unloads run under the load lock too (closeAll), so none can shrink resident memory during this window;
      // the count is a check that this stays so.
      long closesBefore = closes.sum();
      long before = probe.residentBytes();
      model = loader.load(registry, entry.version);
      loader.warmUp(model);
      long after = probe.residentBytes();
      trusted = closes.sum() == closesBefore;
      measuredBytes = before >= 0 && after > before ? after - before : -1;
      loads.increment();
    } catch (RuntimeException e) {
      if (model != null) {
        closeQuietly(model);
      }
      List<Entry> evicted = new ArrayList<>();
      lock.lock();
      try {
        entries.remove(entry.key);
        bytesInUse -= entry.bytes;
        failures.put(entry.key, new Failure(e, ticker.getAsLong()));
        admitWaiters(evicted);
      } finally {
        lock.unlock();
      }
      entry.model.completeExceptionally(e);
      closeAll(evicted);
      return;
    } finally {
      loadLock.unlock();
    }
    long record = -1;
    List<Entry> evicted = new ArrayList<>();
    lock.lock();
    try {
      failures.remove(entry.key);
      if (measuredBytes > 0 && !trusted) {
        untrustedMeasurements.increment();
        Log.LOG.debug("Discarded the size measured for {} ({} bytes): a model was unloaded while it loaded",
            entry.key, measuredBytes);
      } else if (measuredBytes > 0) {
        Long known = measured.get(entry.key);
        if (known == null || measuredBytes > known) {
          measured.put(entry.key, measuredBytes);
        }
        // the largest observation includes the one an earlier start recorded on the version
        long largestBefore = Math.max(known == null ? -1 : known, recordedSize(entry.version));
        if (measuredBytes > largestBefore) {
          record = measuredBytes;
        }
        long keep = Math.max(largestBefore, measuredBytes);
        bytesInUse += keep - entry.bytes;
        entry.bytes = keep;
        if (bytesInUse > budget.limit()) {
          makeRoom(0, entry, evicted);
          if (bytesInUse > budget.limit()) {
            entry.unloadWhenIdle = true;
          }
        }
      }
      admitWaiters(evicted); // a smaller measurement than predicted may have made room
    } finally {
      lock.unlock();
    }
    closeAll(evicted);
    entry.model.complete(model);
    if (record > 0) {
      recordSize(entry.version, record);
    }
  }

  private void recordSize(ModelVersion v, long bytes) {
    try {
      String current = registry.getVersion(v.name(), v.number()).tags().get(SIZE_TAG);
      if (current != null && parseSize(current) >= bytes) {
        return; // another process recorded a larger observation
      }
      registry.setVersionTag(v.name(), v.number(), SIZE_TAG, Long.toString(bytes));
    } catch (RegistryException | IllegalArgumentException e) {
      Log.LOG.warn("Could not record the measured size of {}: {}", v.uri(), e.toString());
    }
  }

  /** The size recorded in the version's {@value #SIZE_TAG} tag, or -1 when there is none. */
  private static long recordedSize(ModelVersion v) {
    String recorded = v.tags().get(SIZE_TAG);
    return recorded == null ? -1 : parseSize(recorded);
  }

  private static long parseSize(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The size to reserve before loading: the largest measurement known (this pool's, or the version's
   * {@value #SIZE_TAG} tag), else the loader's prediction.
   */
  long predictedSize(ModelVersion v) {
    long best = recordedSize(v);
    lock.lock();
    try {
      Long seen = measured.get(key(v));
      if (seen != null) {
        best = Math.max(best, seen);
      }
    } finally {
      lock.unlock();
    }
    return best > 0 ? best : loader.predictedSize(v, sizeFactor);
  }

  /** Whether {@code needed} more bytes and one more model fit without evicting anything. Caller holds the lock. */
  private boolean fitsAsIs(long needed) {
    return bytesInUse + needed <= budget.limit() && entries.size() + 1 <= maxModels;
  }

  /**
   * Evicts idle models, least recently used first, until {@code needed} more bytes (and, when {@code needed}
   * is positive, one more model) fit; evicts nothing when that cannot be reached. Caller holds the lock.
   *
   * @return whether the room is there now
   */
  private boolean makeRoom(long needed, @Nullable Entry keep, List<Entry> evicted) {
    int extraModel = needed > 0 ? 1 : 0;
    long freeable = 0;
    int evictableCount = 0;
    for (Entry e : entries.values()) {
      if (e != keep && e.evictable()) {
        freeable += e.bytes;
        evictableCount++;
      }
    }
    if (bytesInUse - freeable + needed > budget.limit() || entries.size() - evictableCount + extraModel > maxModels) {
      if (needed == 0) {
        // make what room there is: this is the over-budget measurement case
        while (bytesInUse > budget.limit() && evictLru(keep, evicted)) {
          // keep going
        }
      }
      return false;
    }
    while (bytesInUse + needed > budget.limit() || entries.size() + extraModel > maxModels) {
      if (!evictLru(keep, evicted)) {
        return false;
      }
    }
    return true;
  }

  private boolean evictLru(@Nullable Entry keep, List<Entry> evicted) {
    Entry lru = null;
    for (Entry e : entries.values()) {
      if (e != keep && e.evictable() && (lru == null || e.lastUsed < lru.lastUsed)) {
        lru = e;
      }
    }
    if (lru == null) {
      return false;
    }
    remove(lru, evicted);
    return true;
  }

  /** Removes an entry from the accounts; its model is closed by the caller outside the lock. */
  private void remove(Entry e, List<Entry> evicted) {
    entries.remove(e.key);
    bytesInUse -= e.bytes;
    evictions.increment();
    unclosed.add(e);
    evicted.add(e);
  }

  /**
   * Closes removed models, outside the pool lock but under the load lock: an unload running while another
   * model loads would shrink resident memory during that load's measurement and make the newcomer look small.
   */
  private void closeAll(List<Entry> evicted) {
    if (evicted.isEmpty()) {
      return;
    }
    loadLock.lock();
    try {
      closeUnclosed();
      evicted.clear();
    } finally {
      loadLock.unlock();
    }
  }

  /**
   * Closes every model removed from the accounts and not closed yet, whichever request removed it. Every load
   * calls it first: models evicted for one load stay resident until closed, and a load admitted earlier that
   * got the load lock first would otherwise run beside them, over the budget in fact though not in the
   * accounts. Caller holds the load lock.
   */
  private void closeUnclosed() {
    for (Entry e : List.copyOf(unclosed)) {
      if (unclosed.remove(e)) {
        M m = e.model.getNow(null);
        if (m != null) {
          closeQuietly(m);
          closes.increment();
        }
      }
    }
  }

  private void closeQuietly(M model) {
    try {
      model.close();
    } catch (Exception e) {
      Log.LOG.warn("Closing a model failed: {}", e.toString());
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
      if (entry.leases == 0) {
        admitWaiters(evicted);
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

  /**
   * Unloads models idle longer than the keep-alive, admits waiting requests that fit now and makes the others
   * check their deadlines against the ticker. Runs by itself when background maintenance is on.
   */
  public void maintain() {
    List<Entry> evicted = new ArrayList<>();
    lock.lock();
    try {
      long now = ticker.getAsLong();
      if (keepAliveNanos > 0) {
        for (Entry e : List.copyOf(entries.values())) {
          if (e.evictable() && now - e.lastUsed >= keepAliveNanos) {
            remove(e, evicted);
          }
        }
      }
      admitWaiters(evicted);
      for (Waiter w : waiters) {
        w.admitted.signal();
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
    try (Lease warm = acquire(now, acquireTimeoutNanos)) {
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
            admitWaiters(evicted);
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
    int waiting;
    try {
      used = bytesInUse;
      loaded = entries.size();
      waiting = waiters.size();
    } finally {
      lock.unlock();
    }
    return new PoolSnapshot(budget.limit(), used, loaded, loads.sum(), evictions.sum(), hits.sum(), misses.sum(),
        waiting, waited.sum(), refused.sum(), untrustedMeasurements.sum(), stats(versionStats), stats(armStats));
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
      for (Waiter w : waiters) {
        w.admitted.signal();
      }
    } finally {
      lock.unlock();
    }
    closeAll(evicted);
  }

  /** Builder for {@link ModelPool}. */
  public static final class Builder<M extends AutoCloseable> {
    private final ModelRegistry registry;
    private final java.util.function.Function<PredictorOptions, Loader<M>> loaderFor;
    private @Nullable MemoryBudget budget;
    private int maxModels = Integer.MAX_VALUE;
    private int maxWaiting = 256;
    private Duration acquireTimeout = Duration.ofSeconds(30);
    private Duration keepAlive = Duration.ofMinutes(30);
    private Duration failureBackoff = Duration.ofSeconds(30);
    private double sizeFactor = 3.0;
    private @Nullable MemoryProbe probe;
    private LongSupplier ticker = System::nanoTime;
    private Clock clock = Clock.systemUTC();
    private PredictorOptions predictorOptions = PredictorOptions.defaults();
    private @Nullable Routing routing;
    private boolean backgroundMaintenance = true;

    private Builder(ModelRegistry registry, java.util.function.Function<PredictorOptions, Loader<M>> loaderFor) {
      this.registry = Objects.requireNonNull(registry);
      this.loaderFor = loaderFor;
    }

    /** The memory budget; default {@link MemoryBudget#automatic} for this machine. */
    public Builder<M> budget(MemoryBudget budget) {
      this.budget = budget;
      return this;
    }

    public Builder<M> maxModels(int maxModels) {
      if (maxModels < 1) {
        throw new IllegalArgumentException("maxModels must be at least 1");
      }
      this.maxModels = maxModels;
      return this;
    }

    /** How many requests may wait for room at once; one more fails at once. Default 256. */
    public Builder<M> maxWaiting(int maxWaiting) {
      if (maxWaiting < 0) {
        throw new IllegalArgumentException("maxWaiting must not be negative, got " + maxWaiting);
      }
      this.maxWaiting = maxWaiting;
      return this;
    }

    /** How long a request waits for room when the caller gives no deadline; default 30 s, zero fails at once. */
    public Builder<M> acquireTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("acquireTimeout must not be negative");
      }
      this.acquireTimeout = timeout;
      return this;
    }

    /** How long an idle model stays loaded; zero keeps models until they are evicted for room. */
    public Builder<M> keepAlive(Duration keepAlive) {
      if (keepAlive.isNegative()) {
        throw new IllegalArgumentException("keepAlive must not be negative");
      }
      this.keepAlive = keepAlive;
      return this;
    }

    /** How long a failed load is remembered, failing requests fast. */
    public Builder<M> failureBackoff(Duration backoff) {
      if (backoff.isNegative()) {
        throw new IllegalArgumentException("failureBackoff must not be negative");
      }
      this.failureBackoff = backoff;
      return this;
    }

    /** Predicted size = artifact bytes × factor, when nothing is measured and the loader does not say; default 3. */
    public Builder<M> sizeFactor(double factor) {
      if (!(factor >= 1)) {
        throw new IllegalArgumentException("sizeFactor must be at least 1, got " + factor);
      }
      this.sizeFactor = factor;
      return this;
    }

    public Builder<M> memoryProbe(MemoryProbe probe) {
      this.probe = probe;
      return this;
    }

    /** Nanosecond time source for keep-alive, back-off, deadlines and latencies; tests pass a fake. */
    public Builder<M> ticker(LongSupplier ticker) {
      this.ticker = ticker;
      return this;
    }

    public Builder<M> clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Options of the default {@link ModelPredictor} loader; ignored by a pool built with its own loader. */
    public Builder<M> predictorOptions(PredictorOptions options) {
      this.predictorOptions = options;
      return this;
    }

    public Builder<M> routing(Routing routing) {
      this.routing = routing;
      return this;
    }

    /** Whether a daemon thread applies the keep-alive; off means {@link ModelPool#maintain()} is called by hand. */
    public Builder<M> backgroundMaintenance(boolean on) {
      this.backgroundMaintenance = on;
      return this;
    }

    public ModelPool<M> build() {
      return new ModelPool<>(this);
    }
  }
}

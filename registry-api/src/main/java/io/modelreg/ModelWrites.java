package io.modelreg;

import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.VersionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * How the registry writes: under the model's write lock (this registry's in-process lock, then the store's
 * {@link RegistryStore#withModelLock}), by compare-and-set on the record's revision, retried with {@link
 * Backoff} when another client got there first, and followed by the events the change produced. So stores
 * without cross-process locks still never lose an update.
 */
final class ModelWrites {
  static final int MAX_ATTEMPTS = 32;

  /**
   * A change to a freshly read record: returns the new record (the same instance when nothing changes) and
   * adds the events to record to {@code events}. It may throw to refuse the change; it may run several times.
   */
  @FunctionalInterface
  interface Change<R> extends BiFunction<R, List<RegistryEvent>, R> {}

  private final RegistryStore store;
  private final RegistryOptions options;
  private final CachedReads reads;
  private final Backoff backoff;
  private final Runnable eventsAppended;
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  /** {@code eventsAppended} runs after each event is stored (the watch thread polls at once). */
  ModelWrites(RegistryStore store, RegistryOptions options, CachedReads reads, Backoff backoff,
      Runnable eventsAppended) {
    this.store = store;
    this.options = options;
    this.reads = reads;
    this.backoff = backoff;
    this.eventsAppended = eventsAppended;
  }

  /** Runs {@code action} holding the model's write lock; every write of the registry runs in one. */
  <T> T locked(String model, Supplier<T> action) {
    ReentrantLock lock = locks.computeIfAbsent(model, k -> new ReentrantLock());
    lock.lock();
    try {
      return store.withModelLock(model, action);
    } finally {
      reads.listingChanged();
      lock.unlock();
    }
  }

  /** Applies {@code change} to the model record (see {@link #compareAndSet}); call it holding the lock. */
  ModelRecord updateModel(String name, Change<ModelRecord> change) {
    return compareAndSet("Model '" + name + "'",
        () -> store.findModel(name).orElseThrow(() -> new ModelNotFoundException(name)),
        ModelRecord::revision, change,
        (next, revision) -> store.updateModel(next.withUpdatedAt(now()), revision),
        reads::stored);
  }

  /** Applies {@code change} to a version record (see {@link #compareAndSet}); call it holding the lock. */
  VersionRecord updateVersion(String name, int version, Change<VersionRecord> change) {
    return compareAndSet("Version " + version + " of '" + name + "'",
        () -> requireVersion(name, version),
        VersionRecord::revision, change,
        (next, revision) -> store.updateVersion(next.withUpdatedAt(now()), revision),
        stored -> reads.versionsChanged(name));
  }

  /**
   * The one compare-and-set loop: reads the record, applies {@code change}, and stores the result if the
   * stored revision is still the one read; on {@link ConflictException} it pauses and starts again from the
   * read, at most {@link #MAX_ATTEMPTS} times. After a store (or when the change returned the record it was
   * given, which stores nothing) {@code cache} learns the result, then the change's events are appended.
   */
  private <R> R compareAndSet(String subject, Supplier<R> read, ToLongFunction<R> revision, Change<R> change,
      BiFunction<R, Long, R> write, Consumer<R> cache) {
    for (int attempt = 1; ; attempt++) {
      R current = read.get();
      List<RegistryEvent> events = new ArrayList<>();
      R next = change.apply(current, events);
      if (next == current) {
        cache.accept(current);
        return current;
      }
      R stored;
      try {
        stored = write.apply(next, revision.applyAsLong(current));
      } catch (ConflictException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new ConflictException(subject + " kept changing under this update (" + attempt + " attempts): "
              + e.getMessage());
        }
        backoff.pause(attempt);
        continue;
      }
      cache.accept(stored);
      appendAll(events);
      return stored;
    }
  }

  /** The stored model record, read past the cache. */
  ModelRecord requireModel(String name) {
    return store.findModel(name).orElseThrow(() -> new ModelNotFoundException(name));
  }

  /** The stored version record, read past the cache; a missing model is reported as such. */
  VersionRecord requireVersion(String name, int version) {
    return store.findVersion(name, version).orElseThrow(() -> {
      requireModel(name);
      return new VersionNotFoundException("Version " + version + " of model '" + name + "' not found");
    });
  }

  /** An event by this registry's actor, now; the store assigns its sequence. */
  RegistryEvent event(String model, RegistryEvent.Type type, @Nullable Integer version, Map<String, String> details) {
    return new RegistryEvent(model, 0, now(), options.actor(), type, version, details);
  }

  void append(String model, RegistryEvent.Type type, @Nullable Integer version, Map<String, String> details) {
    appendAll(List.of(event(model, type, version, details)));
  }

  private void appendAll(List<RegistryEvent> events) {
    for (RegistryEvent e : events) {
      store.appendEvent(e);
      eventsAppended.run();
    }
  }

  Instant now() {
    return options.clock().instant();
  }

  /** Event details from key/value pairs, in order, skipping null values. */
  static Map<String, String> details(@Nullable String... keyValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      String k = keyValues[i];
      String v = keyValues[i + 1];
      if (k != null && v != null) {
        out.put(k, v);
      }
    }
    return out;
  }
}

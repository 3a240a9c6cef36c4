package io.modelreg;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Metadata read from the store, trusted for a bounded time and then revalidated.
 *
 * <p>An entry younger than the TTL is returned as it is. An older one is revalidated with the store's
 * change token for its key (a cheap stat, see {@link io.modelreg.spi.RegistryStore#changeToken}): if
 * the token is unchanged the entry is trusted for another TTL, otherwise, or when the store has no
 * tokens, it is reloaded. A zero TTL turns the cache into a pass-through, so the read path has one
 * shape either way. Age follows the registry's clock, so tests move time instead of sleeping.
 */
final class RecordCache<K, V> {
  private static final class Entry<V> {
    final V value;
    final @Nullable Object token;
    final long loadedAtMillis;

    Entry(V value, @Nullable Object token, long loadedAtMillis) {
      this.value = value;
      this.token = token;
      this.loadedAtMillis = loadedAtMillis;
    }
  }

  private final @Nullable Cache<K, Entry<V>> cache;
  private final long ttlMillis;
  private final Clock clock;
  private final Function<K, @Nullable Object> tokens;
  /**
   * Bumped by every write. A reader caches what it loaded only if no write happened meanwhile, so a
   * slow read can never put back a value that this process has already replaced or deleted.
   */
  private final AtomicLong writes = new AtomicLong();

  RecordCache(Duration ttl, Clock clock, long maximumSize, Function<K, @Nullable Object> tokens) {
    this.ttlMillis = ttl.toMillis();
    this.clock = clock;
    this.tokens = tokens;
    this.cache = ttl.isZero() ? null : Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).build();
  }

  /** The cached value, or the loader's; a null from the loader is returned and not cached. */
  @Nullable V get(K key, Function<K, @Nullable V> loader) {
    Cache<K, Entry<V>> c = cache;
    if (c == null) {
      return loader.apply(key);
    }
    long now = clock.millis();
    Entry<V> e = c.getIfPresent(key);
    if (e != null) {
      if (now - e.loadedAtMillis < ttlMillis) {
        return e.value;
      }
      if (e.token != null) {
        long before = writes.get();
        Object token = tokens.apply(key);
        if (e.token.equals(token)) {
          if (writes.get() == before) {
            c.put(key, new Entry<>(e.value, token, now));
          }
          return e.value;
        }
      }
    }
    long before = writes.get();
    Object token = tokens.apply(key);
    V v = loader.apply(key);
    if (v != null && writes.get() == before) {
      c.put(key, new Entry<>(v, token, now));
    }
    return v;
  }

  /**
   * Caches a value this registry just wrote. It carries no token (the write's own event is appended
   * after it), so it is reloaded once its TTL has passed.
   */
  void put(K key, V value) {
    writes.incrementAndGet();
    Cache<K, Entry<V>> c = cache;
    if (c != null) {
      c.put(key, new Entry<>(value, null, clock.millis()));
    }
  }

  void invalidate(K key) {
    writes.incrementAndGet();
    Cache<K, Entry<V>> c = cache;
    if (c != null) {
      c.invalidate(key);
    }
  }
}

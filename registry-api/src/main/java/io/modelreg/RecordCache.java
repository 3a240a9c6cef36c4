package io.modelreg;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Metadata read from the store, trusted for a bounded time. A zero TTL turns it into a pass-through, so
 * the read path has one shape either way. Expiry follows the registry's clock, so tests move time
 * instead of sleeping.
 */
final class RecordCache<K, V> {
  private final @Nullable Cache<K, V> cache;
  /**
   * Bumped by every write. A reader caches what it loaded only if no write happened meanwhile, so a
   * slow read can never put back a value that this process has already replaced or deleted.
   */
  private final AtomicLong writes = new AtomicLong();

  RecordCache(Duration ttl, Clock clock, long maximumSize) {
    if (ttl.isZero()) {
      cache = null;
    } else {
      cache = Caffeine.newBuilder()
          .expireAfterWrite(ttl)
          .maximumSize(maximumSize)
          .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
          .executor(Runnable::run)
          .build();
    }
  }

  /** The cached value, or the loader's; a null from the loader is returned and not cached. */
  @Nullable V get(K key, Function<K, @Nullable V> loader) {
    Cache<K, V> c = cache;
    if (c == null) {
      return loader.apply(key);
    }
    V v = c.getIfPresent(key);
    if (v != null) {
      return v;
    }
    long before = writes.get();
    v = loader.apply(key);
    if (v != null && writes.get() == before) {
      c.put(key, v);
    }
    return v;
  }

  void put(K key, V value) {
    writes.incrementAndGet();
    if (cache != null) {
      cache.put(key, value);
    }
  }

  void invalidate(K key) {
    writes.incrementAndGet();
    if (cache != null) {
      cache.invalidate(key);
    }
  }
}

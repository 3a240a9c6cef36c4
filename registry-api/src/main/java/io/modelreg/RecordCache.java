package io.modelreg;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
    V trusted = trusted(c, key, now);
    if (trusted != null) {
      return trusted;
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
   * The values of {@code keys}: the cached ones still trusted, and the others from one call of {@code
   * loader} with the keys it must load (not called when every key is cached), which answers with the values
   * it found; a key it leaves out has no value and is not in the result.
   */
  Map<K, V> getAll(Set<K> keys, Function<Set<K>, Map<K, V>> loader) {
    Cache<K, Entry<V>> c = cache;
    if (c == null) {
      return keys.isEmpty() ? Map.of() : loader.apply(keys);
    }
    long now = clock.millis();
    Map<K, V> out = new HashMap<>();
    Map<K, @Nullable Object> missing = new LinkedHashMap<>();
    long before = writes.get();
    for (K key : keys) {
      V trusted = trusted(c, key, now);
      if (trusted != null) {
        out.put(key, trusted);
      } else {
        missing.put(key, tokens.apply(key));
      }
    }
    if (!missing.isEmpty()) {
      Map<K, V> loaded = loader.apply(Collections.unmodifiableSet(missing.keySet()));
      boolean unchanged = writes.get() == before;
      for (Map.Entry<K, @Nullable Object> m : missing.entrySet()) {
        V v = loaded.get(m.getKey());
        if (v != null) {
          out.put(m.getKey(), v);
          if (unchanged) {
            c.put(m.getKey(), new Entry<>(v, m.getValue(), now));
          }
        }
      }
    }
    return out;
  }

  /**
   * The cached value while it is younger than the TTL, or older with its token unchanged (then trusted for
   * another TTL); null when it must be loaded.
   */
  private @Nullable V trusted(Cache<K, Entry<V>> c, K key, long now) {
    Entry<V> e = c.getIfPresent(key);
    if (e == null) {
      return null;
    }
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
    return null;
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

package io.modelreg;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an open registry. Build with {@link #builder()}; every setter validates at once and
 * refuses to be set twice.
 *
 * <ul>
 *   <li>{@code actor}: the name recorded in history; default the {@code user.name} system property.
 *   <li>{@code clock}: the time source for timestamps and cache expiry; default the system UTC clock.
 *   <li>{@code ticker}: elapsed time and waiting (retry back-off, lock and poll timeouts), for the
 *       registry and the store; default {@link Ticker#system()}.
 *   <li>{@code semverPolicy}: default {@link SemverPolicy#STRICTLY_INCREASING}.
 *   <li>{@code promotionPolicy(stage, policy)}: gates per target stage; default none.
 *   <li>{@code cacheTtl}: how long metadata read from the store is trusted. Writes made through this
 *       registry are seen at once; writes by other processes are seen within this bound. Default 1 s;
 *       {@link Duration#ZERO} disables the cache.
 *   <li>{@code watchPollInterval}: how often {@code watch} polls the store for other processes'
 *       events; default 500 ms.
 *   <li>{@code storeOption(key, value)}: backend-specific settings, passed to the provider.
 *   <li>{@code classLoader}: where {@link java.util.ServiceLoader} looks for providers; default the
 *       thread context class loader.
 * </ul>
 */
public final class RegistryOptions {
  private static final RegistryOptions DEFAULTS = builder().build();

  private final String actor;
  private final Clock clock;
  private final Ticker ticker;
  private final SemverPolicy semverPolicy;
  private final Map<Stage, PromotionPolicy> promotionPolicies;
  private final Duration cacheTtl;
  private final Duration watchPollInterval;
  private final Map<String, String> storeOptions;
  private final @Nullable ClassLoader classLoader;

  private RegistryOptions(Builder b) {
    this.actor = b.actor != null ? b.actor : System.getProperty("user.name", "unknown");
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.ticker = b.ticker != null ? b.ticker : Ticker.system();
    this.semverPolicy = b.semverPolicy != null ? b.semverPolicy : SemverPolicy.STRICTLY_INCREASING;
    this.promotionPolicies = Collections.unmodifiableMap(new EnumMap<>(b.promotionPolicies));
    this.cacheTtl = b.cacheTtl != null ? b.cacheTtl : Duration.ofSeconds(1);
    this.watchPollInterval = b.watchPollInterval != null ? b.watchPollInterval : Duration.ofMillis(500);
    this.storeOptions = Collections.unmodifiableMap(new TreeMap<>(b.storeOptions));
    this.classLoader = b.classLoader;
  }

  /** The defaults. */
  public static RegistryOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String actor() {
    return actor;
  }

  public Clock clock() {
    return clock;
  }

  /** Elapsed time and waiting, for back-off and timeouts; stores take theirs from here too. */
  public Ticker ticker() {
    return ticker;
  }

  public SemverPolicy semverPolicy() {
    return semverPolicy;
  }

  /** The gate for promotions into {@code stage}; {@link PromotionPolicy#allowAll()} when none is set. */
  public PromotionPolicy promotionPolicy(Stage stage) {
    PromotionPolicy p = promotionPolicies.get(stage);
    return p != null ? p : PromotionPolicy.allowAll();
  }

  public Duration cacheTtl() {
    return cacheTtl;
  }

  public Duration watchPollInterval() {
    return watchPollInterval;
  }

  /** Backend-specific settings. */
  public Map<String, String> storeOptions() {
    return storeOptions;
  }

  /** A backend setting, if given. */
  public Optional<String> storeOption(String key) {
    return Optional.ofNullable(storeOptions.get(key));
  }

  public Optional<ClassLoader> classLoader() {
    return Optional.ofNullable(classLoader);
  }

  /** Builder for {@link RegistryOptions}. */
  public static final class Builder {
    private @Nullable String actor;
    private @Nullable Clock clock;
    private @Nullable Ticker ticker;
    private @Nullable SemverPolicy semverPolicy;
    private final Map<Stage, PromotionPolicy> promotionPolicies = new EnumMap<>(Stage.class);
    private @Nullable Duration cacheTtl;
    private @Nullable Duration watchPollInterval;
    private final Map<String, String> storeOptions = new TreeMap<>();
    private @Nullable ClassLoader classLoader;

    private Builder() {}

    private static void once(@Nullable Object current, String what) {
      if (current != null) {
        throw new IllegalStateException(what + " was already set");
      }
    }

    public Builder actor(String actor) {
      once(this.actor, "actor");
      if (actor.isBlank() || actor.length() > Names.MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("actor must be 1 to 255 non-blank characters");
      }
      Names.checkValue("actor", "actor", actor);
      this.actor = actor;
      return this;
    }

    public Builder clock(Clock clock) {
      once(this.clock, "clock");
      this.clock = clock;
      return this;
    }

    public Builder ticker(Ticker ticker) {
      once(this.ticker, "ticker");
      this.ticker = ticker;
      return this;
    }

    public Builder semverPolicy(SemverPolicy policy) {
      once(this.semverPolicy, "semverPolicy");
      this.semverPolicy = policy;
      return this;
    }

    /** Sets the gate for promotions into {@code stage}; combine rules with {@link PromotionPolicy#and}. */
    public Builder promotionPolicy(Stage stage, PromotionPolicy policy) {
      once(promotionPolicies.get(stage), "promotionPolicy for " + stage);
      promotionPolicies.put(stage, policy);
      return this;
    }

    public Builder cacheTtl(Duration ttl) {
      once(this.cacheTtl, "cacheTtl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("cacheTtl must not be negative, got " + ttl);
      }
      this.cacheTtl = ttl;
      return this;
    }

    public Builder watchPollInterval(Duration interval) {
      once(this.watchPollInterval, "watchPollInterval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("watchPollInterval must be positive, got " + interval);
      }
      this.watchPollInterval = interval;
      return this;
    }

    public Builder storeOption(String key, String value) {
      once(storeOptions.get(key), "storeOption " + key);
      storeOptions.put(key, value);
      return this;
    }

    public Builder classLoader(ClassLoader classLoader) {
      once(this.classLoader, "classLoader");
      this.classLoader = classLoader;
      return this;
    }

    public RegistryOptions build() {
      return new RegistryOptions(this);
    }
  }
}

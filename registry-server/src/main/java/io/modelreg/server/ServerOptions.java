package io.modelreg.server;

import io.modelreg.Ticker;
import io.modelreg.inference.pool.ModelPool;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link RegistryServer} listens and what it allows. Built with {@link #builder()}; every setter
 * validates at once and refuses to be set twice.
 *
 * <p>Defaults: loopback ({@code 127.0.0.1}), a free port, a random bearer token, writes allowed with the
 * token, request bodies up to 64 KiB, no CORS, no pool, the system's clock and ticker.
 */
public final class ServerOptions {
  /** The largest request body allowed by default: 64 KiB (every write body is a small JSON document). */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

  private final String host;
  private final int port;
  private final @Nullable String token;
  private final boolean readOnly;
  private final int maxBodyBytes;
  private final Set<String> corsOrigins;
  private final @Nullable PoolView pool;
  private final int eventBuffer;
  private final Duration heartbeat;
  private final Clock clock;
  private final Ticker ticker;

  private ServerOptions(Builder b) {
    this.host = b.host == null ? "127.0.0.1" : b.host;
    this.port = b.port == null ? 0 : b.port;
    this.token = b.token;
    this.readOnly = b.readOnly != null && b.readOnly;
    this.maxBodyBytes = b.maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : b.maxBodyBytes;
    this.corsOrigins = Set.copyOf(b.corsOrigins);
    this.pool = b.pool;
    this.eventBuffer = b.eventBuffer == null ? 10_000 : b.eventBuffer;
    this.heartbeat = b.heartbeat == null ? Duration.ofSeconds(15) : b.heartbeat;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
  }

  /** Options with every default. */
  public static ServerOptions defaults() {
    return builder().build();
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The address the server binds. */
  public String host() {
    return host;
  }

  /** The port, 0 for a free one. */
  public int port() {
    return port;
  }

  /** The bearer token writes need, if one was given; else the server generates one. */
  public Optional<String> token() {
    return Optional.ofNullable(token);
  }

  /** Whether every write is refused. */
  public boolean readOnly() {
    return readOnly;
  }

  /** The largest request body accepted, in bytes. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /** Origins allowed to call the API from a browser page elsewhere; empty means no CORS headers at all. */
  public Set<String> corsOrigins() {
    return corsOrigins;
  }

  @Nullable PoolView pool() {
    return pool;
  }

  /** Whether a model pool is shown. */
  public boolean hasPool() {
    return pool != null;
  }

  /** How many recent events the server keeps for {@code Last-Event-ID} resume. */
  public int eventBuffer() {
    return eventBuffer;
  }

  /** How often an idle event stream gets a comment line, so proxies and clients see it alive. */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** Wall-clock time: the default time of a posted metric run, a pool switch's time, the event stream's epoch. */
  public Clock clock() {
    return clock;
  }

  /** Elapsed time: request durations in the HTTP metrics. */
  public Ticker ticker() {
    return ticker;
  }

  /** Builder for {@link ServerOptions}. */
  public static final class Builder {
    private @Nullable String host;
    private @Nullable Integer port;
    private @Nullable String token;
    private @Nullable Boolean readOnly;
    private @Nullable Integer maxBodyBytes;
    private final Set<String> corsOrigins = new LinkedHashSet<>();
    private boolean corsSet;
    private @Nullable PoolView pool;
    private @Nullable Integer eventBuffer;
    private @Nullable Duration heartbeat;
    private @Nullable Clock clock;
    private @Nullable Ticker ticker;

    private Builder() {}

    private static void once(@Nullable Object current, String what) {
      if (current != null) {
        throw new IllegalStateException(what + " was already set");
      }
    }

    /**
     * The address to bind: {@code 127.0.0.1} (default), {@code localhost}, {@code ::1}, or another address
     * when the API must be reachable from other machines (then put TLS in front).
     *
     * @throws IllegalArgumentException if blank or containing characters no host name or address has
     */
    public Builder host(String host) {
      once(this.host, "host");
      if (host.isBlank() || !host.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
        throw new IllegalArgumentException("Invalid host '" + host + "': expected a host name or an IP address");
      }
      this.host = host;
      return this;
    }

    /**
     * The port: 0 (default) for a free one, else 1–65535.
     *
     * @throws IllegalArgumentException if outside 0–65535
     */
    public Builder port(int port) {
      once(this.port, "port");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("Port must be 0 (a free one) or 1-65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The bearer token writes must send ({@code Authorization: Bearer <token>}). Without one, the server
     * generates 32 random bytes (base64url) and {@link RegistryServer#token()} returns them.
     *
     * @throws IllegalArgumentException if shorter than 16 characters or not printable ASCII without spaces
     */
    public Builder token(String token) {
      once(this.token, "token");
      if (token.length() < 16 || !token.matches("[\\x21-\\x7e]+")) {
        throw new IllegalArgumentException(
            "A token must be at least 16 printable ASCII characters without spaces (got " + token.length() + ")");
      }
      this.token = token;
      return this;
    }

    /** Refuses every write (403), whatever the token; reads, renders and events work. */
    public Builder readOnly(boolean readOnly) {
      once(this.readOnly, "readOnly");
      this.readOnly = readOnly;
      return this;
    }

    /**
     * The largest request body: 1 KiB to 16 MiB.
     *
     * @throws IllegalArgumentException if outside that range
     */
    public Builder maxBodyBytes(int bytes) {
      once(this.maxBodyBytes, "maxBodyBytes");
      if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be 1024 to 16777216, got " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Origins (scheme, host and port, such as {@code https://dash.example.com}) whose pages may call the API.
     * There is no wildcard: each origin is named.
     *
     * @throws IllegalArgumentException if an origin is not {@code http(s)://host[:port]}
     */
    public Builder corsOrigins(Set<String> origins) {
      if (corsSet) {
        throw new IllegalStateException("corsOrigins was already set");
      }
      for (String o : origins) {
        if (!o.toLowerCase(Locale.ROOT).matches("https?://[a-z0-9.\\-\\[\\]:]+")) {
          throw new IllegalArgumentException("Invalid CORS origin '" + o + "': expected http(s)://host[:port]");
        }
      }
      corsOrigins.addAll(origins);
      corsSet = true;
      return this;
    }

    /** A model pool whose live state the console and {@code /api/v1/pool} show, with its metrics. */
    public Builder pool(ModelPool<?> pool) {
      once(this.pool, "pool");
      this.pool = new PoolView(pool);
      return this;
    }

    /**
     * How many recent events to keep for {@code Last-Event-ID} resume: 16 to 1,000,000 (default 10,000).
     *
     * @throws IllegalArgumentException if outside that range
     */
    public Builder eventBuffer(int events) {
      once(this.eventBuffer, "eventBuffer");
      if (events < 16 || events > 1_000_000) {
        throw new IllegalArgumentException("eventBuffer must be 16 to 1000000, got " + events);
      }
      this.eventBuffer = events;
      return this;
    }

    /**
     * How often an idle event stream gets a comment line: 1 s to 5 min (default 15 s).
     *
     * @throws IllegalArgumentException if outside that range
     */
    public Builder heartbeat(Duration heartbeat) {
      once(this.heartbeat, "heartbeat");
      if (heartbeat.compareTo(Duration.ofSeconds(1)) < 0 || heartbeat.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("heartbeat must be 1 s to 5 min, got " + heartbeat);
      }
      this.heartbeat = heartbeat;
      return this;
    }

    /** The wall clock (default: the system's, in UTC); tests give a fixed one. */
    public Builder clock(Clock clock) {
      once(this.clock, "clock");
      this.clock = clock;
      return this;
    }

    /** The elapsed-time source (default: {@link Ticker#system()}). */
    public Builder ticker(Ticker ticker) {
      once(this.ticker, "ticker");
      this.ticker = ticker;
      return this;
    }

    /** The options. */
    public ServerOptions build() {
      return new ServerOptions(this);
    }
  }
}

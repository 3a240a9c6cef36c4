package io.modelreg.mlflow;

import io.modelreg.RegistryOptions;
import io.modelreg.spi.RegistryProvider;
import io.modelreg.spi.RegistryStore;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;

/**
 * Serves {@code mlflow://host:port} (HTTP), {@code mlflow+https://host} and plain {@code http(s)://} tracking
 * URIs; {@code mlflow:} alone uses {@code MLFLOW_TRACKING_URI}. Credentials from {@code
 * MLFLOW_TRACKING_TOKEN} or {@code MLFLOW_TRACKING_USERNAME}/{@code MLFLOW_TRACKING_PASSWORD}, {@code
 * MLFLOW_TRACKING_INSECURE_TLS} for self-signed test servers; store options
 * {@code mlflow.request-timeout} and {@code mlflow.connect-timeout} (ISO-8601), {@code mlflow.max-attempts},
 * {@code mlflow.history-experiment} (where history runs live, default {@code modelreg-history}) and {@code
 * mlflow.version-cache-ttl} (how long a model's version list may be reused while its change token holds,
 * default one minute, {@code PT0S} turns the store's version cache off) and {@code mlflow.gc-grace} (how old an
 * unreferenced upload must be before {@code gc()} clears it, default one day) and {@code
 * mlflow.registration-wait} (how long a new version may stay {@code PENDING_REGISTRATION}, default five minutes)
 * and {@code mlflow.upload-memory-mib} (how much of one file an upload holds in memory before it spools to a
 * temporary file, 0–1024, default 16).
 */
public final class MlflowRegistryProvider implements RegistryProvider {
  private final Map<String, String> env;

  public MlflowRegistryProvider() {
    this(System.getenv());
  }

  MlflowRegistryProvider(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Set<String> schemes() {
    return Set.of("mlflow", "mlflow+https", "http", "https");
  }

  static URI base(URI uri, Map<String, String> env) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("mlflow") && (uri.getHost() == null || uri.getHost().isEmpty())) {
      String tracking = env.get("MLFLOW_TRACKING_URI");
      if (tracking == null || tracking.isBlank()) {
        throw new IllegalArgumentException("'" + uri + "' names no server and MLFLOW_TRACKING_URI is not set");
      }
      return base(URI.create(tracking.trim()), env);
    }
    if (uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
      throw new IllegalArgumentException("'" + uri + "' names no server; expected mlflow://host:port,"
          + " mlflow+https://host, http(s)://host[:port][/path] or mlflow: with MLFLOW_TRACKING_URI set");
    }
    String http = scheme.equals("mlflow") ? "http" : scheme.equals("mlflow+https") ? "https" : scheme;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return URI.create(http + "://" + uri.getRawAuthority() + path);
  }

  @Override
  public RegistryStore open(URI uri, RegistryOptions options) {
    URI base = base(uri, env);
    @Nullable String token = env.get("MLFLOW_TRACKING_TOKEN");
    return openStore(base, MlflowHttp.Settings.credentials(base, token, env.get("MLFLOW_TRACKING_USERNAME"),
        env.get("MLFLOW_TRACKING_PASSWORD"), insecureTls(env)), options);
  }

  /** The store at {@code base} (an http(s) URI) with these credentials and the store options in {@code options}. */
  static MlflowRegistryStore openStore(URI base, MlflowHostCredsProvider credentials, RegistryOptions options) {
    MlflowHttp.Settings settings = new MlflowHttp.Settings(base, credentials,
        duration(options, "mlflow.connect-timeout", Duration.ofSeconds(10), false),
        duration(options, "mlflow.request-timeout", Duration.ofSeconds(60), false),
        attempts(options), Duration.ofMillis(200));
    String history = options.storeOption("mlflow.history-experiment").orElse(MlflowRegistryStore.DEFAULT_HISTORY_EXPERIMENT);
    if (history.isBlank()) {
      throw new IllegalArgumentException("Store option mlflow.history-experiment must name an experiment, got '" + history + "'");
    }
    return new MlflowRegistryStore(new MlflowHttp(settings, options.ticker()), new MlflowRegistryStore.Config(history.trim(),
        duration(options, "mlflow.version-cache-ttl", MlflowRegistryStore.DEFAULT_VERSION_CACHE_TTL, true),
        duration(options, "mlflow.gc-grace", MlflowRegistryStore.DEFAULT_GC_GRACE, false),
        duration(options, "mlflow.registration-wait", MlflowRegistryStore.DEFAULT_REGISTRATION_WAIT, false),
        uploadMemory(options), options.clock(), options.ticker()));
  }

  /** {@code mlflow.upload-memory-mib}: 0 to 1024 MiB of one file held in memory while uploaded, default 16. */
  private static long uploadMemory(RegistryOptions options) {
    return options.storeOption("mlflow.upload-memory-mib").map(text -> {
      try {
        int n = Integer.parseInt(text.trim());
        if (n >= 0 && n <= 1024) {
          return (long) n << 20;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new IllegalArgumentException("Store option mlflow.upload-memory-mib must be a whole number of MiB from 0 to"
          + " 1024, got '" + text + "'");
    }).orElse(MlflowRegistryStore.DEFAULT_UPLOAD_MEMORY);
  }

  private static Duration duration(RegistryOptions options, String key, Duration fallback, boolean zeroAllowed) {
    return options.storeOption(key).map(text -> {
      try {
        Duration d = Duration.parse(text.trim());
        if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
          throw new IllegalArgumentException("Store option " + key + " must be " + (zeroAllowed ? "zero or positive" : "positive")
              + ", got '" + text + "'");
        }
        return d;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("Store option " + key + " must be an ISO-8601 duration such as PT30S, got '"
            + text + "'", e);
      }
    }).orElse(fallback);
  }

  private static int attempts(RegistryOptions options) {
    return options.storeOption("mlflow.max-attempts").map(text -> {
      try {
        int n = Integer.parseInt(text.trim());
        if (n >= 1 && n <= 20) {
          return n;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new IllegalArgumentException("Store option mlflow.max-attempts must be a whole number from 1 to 20, got '"
          + text + "'");
    }).orElse(5);
  }

  private static boolean insecureTls(Map<String, String> env) {
    String v = env.getOrDefault("MLFLOW_TRACKING_INSECURE_TLS", "false").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no", "" -> false;
      default -> throw new IllegalArgumentException("MLFLOW_TRACKING_INSECURE_TLS must be true or false, got '" + v + "'");
    };
  }
}

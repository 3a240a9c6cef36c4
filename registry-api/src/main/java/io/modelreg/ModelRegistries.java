package io.modelreg;

import io.modelreg.spi.RegistryProvider;
import io.modelreg.spi.RegistryStore;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens registries by URI: {@code file:/srv/models}, {@code mem:}, {@code mlflow://host:5000}, or any
 * scheme a {@link RegistryProvider} on the class path serves.
 *
 * <p>Provider lookup: providers registered with {@link #register} first (they override discovered ones,
 * like an explicit binding), then {@link ServiceLoader} on the options' class loader (default: the
 * thread context class loader). Schemes match exactly and case-insensitively. Two discovered providers
 * for one scheme fail with both class names; a provider that fails to load is logged and skipped, and
 * named again if its scheme is then asked for; an unknown scheme lists the installed ones.
 */
public final class ModelRegistries {
  /** Environment variable with the default registry URI. */
  public static final String ENV_URI = "MODELREG_URI";
  /** System property with the default registry URI, used when the environment variable is not set. */
  public static final String PROPERTY_URI = "modelreg.uri";

  /** Created on first use, so opening a registry does not initialise the logging backend. */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(ModelRegistries.class);
  }
  private static final Map<String, RegistryProvider> explicit = new TreeMap<>();

  private ModelRegistries() {}

  /**
   * Opens the default registry: {@code MODELREG_URI}, else the {@code modelreg.uri} system property,
   * else {@code file:} + {@code ~/.modelreg/registry}.
   */
  public static ModelRegistry open() {
    return open(defaultUri(System.getenv(ENV_URI), System.getProperty(PROPERTY_URI),
        System.getProperty("user.home")), RegistryOptions.defaults());
  }

  /** The default registry URI from the given environment variable, property and home directory. */
  static URI defaultUri(@Nullable String env, @Nullable String property, @Nullable String home) {
    if (env != null && !env.isBlank()) {
      return toUri(env.trim());
    }
    if (property != null && !property.isBlank()) {
      return toUri(property.trim());
    }
    if (home == null) {
      throw new IllegalStateException("No registry URI given (" + ENV_URI + ", -D" + PROPERTY_URI
          + ") and no user.home to put the default registry in");
    }
    return Path.of(home, ".modelreg", "registry").toUri();
  }

  /** Opens a registry by URI text with default options. */
  public static ModelRegistry open(String uri) {
    return open(toUri(uri), RegistryOptions.defaults());
  }

  public static ModelRegistry open(String uri, RegistryOptions options) {
    return open(toUri(uri), options);
  }

  public static ModelRegistry open(URI uri) {
    return open(uri, RegistryOptions.defaults());
  }

  /**
   * Opens a registry.
   *
   * @throws IllegalArgumentException for a URI without scheme, or a scheme no provider serves (the
   *     message lists the installed schemes)
   * @throws IllegalStateException when two discovered providers claim the scheme
   */
  public static ModelRegistry open(URI uri, RegistryOptions options) {
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException("Registry URI '" + redacted(uri.toString()) + "' has no scheme; use file:/path, mem:, or another"
          + " installed scheme: " + schemes(options));
    }
    RegistryProvider provider = provider(scheme.toLowerCase(Locale.ROOT), options);
    RegistryStore store = provider.open(uri, options);
    return create(store, options);
  }

  /**
   * Copies model {@code name} with all its versions from {@code source} to {@code target}, which may be any
   * two registries ({@code file:} to {@code mlflow:} and back): files with their digests checked on
   * arrival, metadata, metric runs, stages and aliases. Versions are registered in order, then stages (Staging before Production) and aliases replayed; see {@link
   * CopyReport#notCarried()} for what differs in the target (version numbers when the target already has
   * versions, history).
   */
  public static CopyReport copy(ModelRegistry source, ModelRegistry target, String name) {
    return copy(source, target, name, List.of());
  }

  /** Like {@link #copy(ModelRegistry, ModelRegistry, String)}, for the given version numbers only (all when empty). */
  public static CopyReport copy(ModelRegistry source, ModelRegistry target, String name, Collection<Integer> versions) {
    return copy(source, target, name, name, versions, UnaryOperator.identity());
  }

  /**
   * Like {@link #copy(ModelRegistry, ModelRegistry, String, Collection)}, recreating the model as {@code
   * targetName} in the target, and passing each file's stream through {@code eachFile} as it is read (to
   * count bytes for a progress bar; the digest is still checked on what the target receives).
   *
   * @throws IllegalArgumentException if {@code name} or {@code targetName} is not a valid model name
   */
  public static CopyReport copy(ModelRegistry source, ModelRegistry target, String name, String targetName,
      Collection<Integer> versions, UnaryOperator<InputStream> eachFile) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(eachFile, "eachFile");
    Names.checkModelName(name);
    Names.checkModelName(targetName);
    RegisteredModel model = source.getModel(name);
    return ModelCopy.replay(target, targetName, model, ModelCopy.versionsOf(source, name, versions, eachFile));
  }

  /** Wraps a store in the registry's policy layer; for tests and for stores built by hand. */
  public static ModelRegistry create(RegistryStore store, RegistryOptions options) {
    return new PolicyRegistry(store, options);
  }

  /**
   * Registers a provider explicitly, without {@link ServiceLoader}. It serves its schemes ahead of
   * discovered providers.
   *
   * @throws IllegalStateException when another explicitly registered provider has one of its schemes
   */
  public static void register(RegistryProvider provider) {
    synchronized (explicit) {
      for (String scheme : provider.schemes()) {
        RegistryProvider other = explicit.get(scheme.toLowerCase(Locale.ROOT));
        if (other != null && other != provider) {
          throw new IllegalStateException("Scheme '" + scheme + "' is already registered by "
              + other.getClass().getName() + "; cannot also register " + provider.getClass().getName());
        }
      }
      for (String scheme : provider.schemes()) {
        explicit.put(scheme.toLowerCase(Locale.ROOT), provider);
      }
    }
  }

  /** Forgets every explicitly registered provider; for tests. */
  public static void reset() {
    synchronized (explicit) {
      explicit.clear();
    }
  }

  /** Every scheme that can be opened, with the provider class serving it. */
  public static Map<String, String> schemes(RegistryOptions options) {
    Map<String, String> out = new TreeMap<>();
    Discovery d = discover(options);
    d.providers.forEach((scheme, list) -> out.put(scheme, list.get(0).getClass().getName()));
    synchronized (explicit) {
      explicit.forEach((scheme, p) -> out.put(scheme, p.getClass().getName()));
    }
    return out;
  }

  private static RegistryProvider provider(String scheme, RegistryOptions options) {
    synchronized (explicit) {
      RegistryProvider p = explicit.get(scheme);
      if (p != null) {
        return p;
      }
    }
    Discovery d = discover(options);
    List<RegistryProvider> found = d.providers.get(scheme);
    if (found == null) {
      StringBuilder msg = new StringBuilder("No registry provider for scheme '" + scheme + "'; installed schemes: "
          + schemes(options).keySet());
      if (!d.failures.isEmpty()) {
        msg.append(". Providers that failed to load: ").append(String.join("; ", d.failures));
      }
      throw new IllegalArgumentException(msg.toString());
    }
    if (found.size() > 1) {
      List<String> classes = new ArrayList<>();
      for (RegistryProvider p : found) {
        classes.add(p.getClass().getName());
      }
      throw new IllegalStateException("Several registry providers serve scheme '" + scheme + "': " + classes
          + ". Remove one from the class path, or choose one with ModelRegistries.register(...)");
    }
    return found.get(0);
  }

  private static final class Discovery {
    final Map<String, List<RegistryProvider>> providers = new LinkedHashMap<>();
    final List<String> failures = new ArrayList<>();
  }

  private static Discovery discover(RegistryOptions options) {
    ClassLoader loader = options.classLoader().orElse(Thread.currentThread().getContextClassLoader());
    if (loader == null) {
      loader = ModelRegistries.class.getClassLoader();
    }
    Discovery d = new Discovery();
    Iterator<RegistryProvider> it = ServiceLoader.load(RegistryProvider.class, loader).iterator();
    while (true) {
      RegistryProvider p;
      try {
        if (!it.hasNext()) {
          break;
        }
        p = it.next();
        for (String scheme : p.schemes()) {
          d.providers.computeIfAbsent(scheme.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(p);
        }
      } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
        d.failures.add(e.toString());
        Log.LOG.warn("Skipping a registry provider that failed to load: {}", e.toString());
      }
    }
    return d;
  }

  /** Parses registry URI text; {@code mem:} alone becomes {@code mem:/}. */
  static URI toUri(String text) {
    String t = text.trim();
    if (t.endsWith(":") && t.indexOf(':') == t.length() - 1) {
      t = t + "/";
    }
    try {
      return new URI(t);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Invalid registry URI '" + redacted(text) + "': " + e.getReason()
          + (e.getIndex() >= 0 ? " at index " + e.getIndex() : "")
          + " (examples: file:/srv/models, file:./models, mem:, mlflow://localhost:5000)");
    }
  }

  /** Query parameters whose values are secrets, matched case-insensitively. */
  private static final java.util.regex.Pattern SECRET_PARAM =
      java.util.regex.Pattern.compile("(?i)([?&;](?:password|passwd|pwd|secret|token|access_token|api_key|apikey)=)[^&;#]*");
  /** The password of a user-info part: {@code //user:secret@host}. */
  private static final java.util.regex.Pattern USER_INFO_PASSWORD = java.util.regex.Pattern.compile("(//[^/@:?#]*:)[^/@?#]*@");

  /**
   * URI text fit for a message: the password of a user-info part and the values of secret-named query
   * parameters (password, token, api_key, ...) replaced by {@code ***}. Messages name what was wrong with a
   * URI without ever repeating a credential given in it.
   */
  static String redacted(String uri) {
    String out = USER_INFO_PASSWORD.matcher(uri).replaceAll("$1***@");
    return SECRET_PARAM.matcher(out).replaceAll("$1***");
  }
}

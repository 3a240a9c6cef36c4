package io.modelreg.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.modelreg.RegistryException;
import io.modelreg.RegistryOptions;
import io.modelreg.TransientRegistryException;
import io.modelreg.spi.DurableFiles;
import io.modelreg.spi.RegistryProvider;
import io.modelreg.spi.RegistryStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;

/**
 * Serves {@code jdbc:postgresql://host:port/database?…} URIs, given verbatim to PostgreSQL's JDBC driver
 * (every driver parameter works: {@code ssl}, {@code sslmode}, {@code ApplicationName} …). Opening creates or
 * migrates the registry's tables with Flyway in the schema {@value #SCHEMA} option names (default {@code
 * modelreg}), then serves the registry from a HikariCP pool.
 *
 * <p>Credentials, first found wins: {@code user}/{@code password} parameters of the URI; the store options
 * {@value #USER}/{@value #PASSWORD}; the environment variables {@code PGUSER}/{@code PGPASSWORD}; the driver's
 * own {@code .pgpass} lookup ({@code PGPASSFILE} or {@code ~/.pgpass}). No message ever shows the password:
 * the registry describes itself as the URI without its parameters.
 *
 * <p>Other store options: {@value #POOL_SIZE} (default 16 connections), {@value #LOCK_TIMEOUT} (how long a write
 * waits for another writer's model lock, ISO-8601, default {@code PT60S}), {@value #STATEMENT_TIMEOUT} (default
 * {@code PT60S}), {@value #CONNECT_TIMEOUT} (default {@code PT10S}), {@value #ATTEMPTS} (how often an
 * operation that failed transiently is tried, default 4), {@value #SEARCH_CACHE} (how many version records
 * searches keep parsed, default 20,000; 0 keeps none) and {@value #BLOBS} (a shared directory for the artifact
 * bytes instead of the database; also the URI parameter {@value #BLOBS_PARAMETER}, taken out before the driver sees
 * the URI).
 */
public final class JdbcRegistryProvider implements RegistryProvider {
  /** Store option: the schema of the registry's tables (lower case letters, digits, {@code _}). */
  public static final String SCHEMA = "jdbc.schema";
  /** Store option: the database user, when the URI has none. */
  public static final String USER = "jdbc.user";
  /** Store option: the password, when the URI has none. */
  public static final String PASSWORD = "jdbc.password";
  /** Store option: the most connections the pool opens. */
  public static final String POOL_SIZE = "jdbc.pool-size";
  /** Store option: how long a write waits for a lock held by another writer (ISO-8601 duration). */
  public static final String LOCK_TIMEOUT = "jdbc.lock-timeout";
  /** Store option: the longest one SQL statement may run (ISO-8601 duration). */
  public static final String STATEMENT_TIMEOUT = "jdbc.statement-timeout";
  /** Store option: how long to wait for a connection (ISO-8601 duration). */
  public static final String CONNECT_TIMEOUT = "jdbc.connect-timeout";
  /** Store option: how many times an operation that failed transiently is tried in all. */
  public static final String ATTEMPTS = "jdbc.attempts";
  /** Store option: the most version records searches keep parsed ({@code 0}: none), default 20,000. */
  public static final String SEARCH_CACHE = "jdbc.search-cache";
  /**
   * Store option: an absolute path of a directory (shared by every machine using the registry, e.g. over NFS) that
   * keeps the artifact bytes instead of the database, laid out as the {@code file:} store's blobs.
   */
  public static final String BLOBS = "jdbc.blobs";
  /** URI parameter naming the blob directory, as {@value #BLOBS} does; taken out before the driver sees the URI. */
  public static final String BLOBS_PARAMETER = "modelreg.blobs";

  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,49}");

  @Override
  public Set<String> schemes() {
    return Set.of("jdbc");
  }

  @Override
  public RegistryStore open(URI uri, RegistryOptions options) {
    String given = url(uri);
    String url = withoutParameter(given, BLOBS_PARAMETER);
    String describe = describe(url);
    String schema = options.storeOption(SCHEMA).orElse("modelreg");
    if (!SCHEMA_NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException(SCHEMA + " must be 1-50 lower-case letters, digits or '_', not starting with"
          + " a digit; got '" + schema + "'");
    }
    int poolSize = positiveInt(options, POOL_SIZE, 16);
    int attempts = positiveInt(options, ATTEMPTS, 4);
    int searchCache = wholeNumber(options, SEARCH_CACHE, JdbcRegistryStore.SEARCHED_RECORDS);
    Duration lockTimeout = duration(options, LOCK_TIMEOUT, Duration.ofSeconds(60));
    Duration statementTimeout = duration(options, STATEMENT_TIMEOUT, Duration.ofSeconds(60));
    Duration connectTimeout = duration(options, CONNECT_TIMEOUT, Duration.ofSeconds(10));
    Properties credentials = credentials(url, options);
    Path blobDirectory = blobDirectory(blobsOption(given, options));
    describe = describe + " (schema " + schema + ")";

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setDataSourceProperties(credentials);
    config.setPoolName("modelreg " + describe);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
    config.setInitializationFailTimeout(Math.max(1, connectTimeout.toMillis()));
    // No parallel workers and no JIT for the registry's sessions: its statements are index lookups whose rows
    // go to one client; a worker made the P11 search's query 97 ms instead of about 20 ms here (module README).
    config.setConnectionInitSql("SET search_path = " + schema + "; SET lock_timeout = " + lockTimeout.toMillis()
        + "; SET statement_timeout = " + statementTimeout.toMillis()
        + "; SET max_parallel_workers_per_gather = 0; SET jit = off");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw connectFailure(describe, e);
    }
    try {
      migrate(pool, schema, describe);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    Database db = new Database(pool, describe, schema, options.ticker(), attempts, lockTimeout);
    SharedDirectory directory;
    try {
      directory = blobDirectory == null ? null : SharedDirectory.open(db, blobDirectory, options.clock());
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    String finalDescribe = describe;
    Properties listenProps = new Properties();
    listenProps.putAll(credentials);
    listenProps.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
    listenProps.setProperty("tcpKeepAlive", "true");
    listenProps.setProperty("ApplicationName", "modelreg-listen " + schema);
    return new JdbcRegistryStore(db, new DatabaseBlobs(db, directory), describe, searchCache,
        () -> new ChangeListener(url, listenProps, schema, finalDescribe, options.ticker()));
  }

  /**
   * A failure to open the pool: transient when the server is unreachable or refuses for now; otherwise (wrong
   * password, no such database, no permission) a {@link RegistryException}, since trying again will not help.
   */
  private static RegistryException connectFailure(String describe, RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException && !Database.isRetryable((java.sql.SQLException) t)) {
        return new RegistryException("Cannot connect to " + describe + ": " + rootMessage(e), e);
      }
    }
    return new TransientRegistryException("Cannot connect to " + describe + ": " + rootMessage(e), e);
  }

  /** Creates or migrates the schema; Flyway serializes concurrent openers with an advisory lock. */
  private static void migrate(HikariDataSource pool, String schema, String describe) {
    try {
      Flyway.configure(JdbcRegistryProvider.class.getClassLoader())
          .dataSource(pool)
          .schemas(schema)
          .createSchemas(true)
          .table("modelreg_schema_history")
          .locations("classpath:io/modelreg/jdbc/migration")
          .ignoreMigrationPatterns("")
          .load()
          .migrate();
    } catch (FlywayException e) {
      String message = rootMessage(e);
      if (message.contains("not resolved locally") || message.contains("newer")) {
        throw new RegistryException("The registry in " + describe + " was created or migrated by a newer modelreg;"
            + " upgrade to open it (" + message + ")", e);
      }
      throw new RegistryException("Cannot create or migrate the registry's tables in " + describe + ": " + message, e);
    }
  }

  /** The driver URL: the URI as given, which must be {@code jdbc:postgresql:…}. */
  static String url(URI uri) {
    String text = uri.toString();
    if (!text.regionMatches(true, 0, "jdbc:postgresql:", 0, "jdbc:postgresql:".length())) {
      throw new IllegalArgumentException("The jdbc: registry supports PostgreSQL only: use"
          + " jdbc:postgresql://host:5432/database, got " + describe(text));
    }
    String rest = text.substring("jdbc:postgresql:".length());
    if (!rest.startsWith("//") || rest.length() == 2) {
      throw new IllegalArgumentException("A jdbc: registry URI names a server and a database:"
          + " jdbc:postgresql://host:5432/database; got " + describe(text));
    }
    return "jdbc:postgresql:" + rest;
  }

  /** The URL without its parameters (which may carry a password) and without user info. */
  static String describe(String url) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    int at = base.indexOf('@');
    int slashes = base.indexOf("//");
    if (at >= 0 && slashes >= 0 && at > slashes) {
      base = base.substring(0, slashes + 2) + base.substring(at + 1);
    }
    return base;
  }

  private static Properties credentials(String url, RegistryOptions options) {
    Properties p = new Properties();
    String query = url.indexOf('?') < 0 ? "" : url.substring(url.indexOf('?') + 1).toLowerCase(Locale.ROOT);
    boolean urlUser = hasParameter(query, "user");
    boolean urlPassword = hasParameter(query, "password");
    if (!urlUser) {
      String user = options.storeOption(USER).orElse(System.getenv("PGUSER"));
      if (user != null && !user.isEmpty()) {
        p.setProperty("user", user);
      }
    }
    if (!urlPassword) {
      String password = options.storeOption(PASSWORD).orElse(System.getenv("PGPASSWORD"));
      if (password != null && !password.isEmpty()) {
        p.setProperty("password", password);
      }
    }
    p.setProperty("ApplicationName", "modelreg");
    return p;
  }

  private static boolean hasParameter(String query, String name) {
    for (String part : query.split("&")) {
      if (part.equals(name) || part.startsWith(name + "=")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The directory {@value #BLOBS} names, created if missing, or null without the option.
   *
   * @throws IllegalArgumentException unless it is an absolute path of a directory that exists or can be created
   *     and that this process can write
   */
  static @Nullable Path blobDirectory(@Nullable String text) {
    if (text == null) {
      return null;
    }
    String allowed = BLOBS + " (URI parameter " + BLOBS_PARAMETER + ") must be the absolute path of a directory that exists or can be created and that this"
        + " process can write (shared by every machine using the registry); got '" + text + "': ";
    Path dir;
    try {
      dir = Path.of(text);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(allowed + "not a path (" + e.getReason() + ")", e);
    }
    if (!dir.isAbsolute()) {
      throw new IllegalArgumentException(allowed + "a relative path would mean another directory on each machine");
    }
    dir = dir.normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(allowed + "it is a file");
    }
    try {
      DurableFiles.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException(allowed + "it cannot be created (" + e + ")", e);
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException(allowed + "this process cannot write it");
    }
    return dir;
  }

  /**
   * The blob directory from the store option or the URI parameter {@value #BLOBS_PARAMETER} (for those who configure
   * a registry by URI alone: the CLI, the server, {@code MODELREG_URI}); both given must agree.
   */
  static @Nullable String blobsOption(String url, RegistryOptions options) {
    @Nullable String fromOption = options.storeOption(BLOBS).orElse(null);
    @Nullable String fromUri = parameter(url, BLOBS_PARAMETER);
    if (fromOption != null && fromUri != null && !fromOption.equals(fromUri)) {
      throw new IllegalArgumentException("The store option " + BLOBS + " ('" + fromOption + "') and the URI parameter "
          + BLOBS_PARAMETER + " ('" + fromUri + "') name different blob directories; give one");
    }
    return fromOption != null ? fromOption : fromUri;
  }

  /** The URL-decoded value of a query parameter of {@code url}, or null. */
  static @Nullable String parameter(String url, String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String part : url.substring(q + 1).split("&")) {
      if (part.startsWith(name + "=")) {
        return java.net.URLDecoder.decode(part.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** {@code url} without the query parameter {@code name} (ours, never the driver's). */
  static String withoutParameter(String url, String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return url;
    }
    StringBuilder kept = new StringBuilder();
    for (String part : url.substring(q + 1).split("&")) {
      if (!part.isEmpty() && !part.equals(name) && !part.startsWith(name + "=")) {
        kept.append(kept.length() == 0 ? "" : "&").append(part);
      }
    }
    return url.substring(0, q) + (kept.length() == 0 ? "" : "?" + kept);
  }

  private static int positiveInt(RegistryOptions options, String key, int fallback) {
    String text = options.storeOption(key).orElse(null);
    if (text == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(text.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a whole number of at least 1, got '" + text + "'");
  }

  private static int wholeNumber(RegistryOptions options, String key, int fallback) {
    String text = options.storeOption(key).orElse(null);
    if (text == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(text.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a whole number of at least 0, got '" + text + "'");
  }

  private static Duration duration(RegistryOptions options, String key, Duration fallback) {
    String text = options.storeOption(key).orElse(null);
    if (text == null) {
      return fallback;
    }
    try {
      Duration d = Duration.parse(text);
      if (!d.isNegative() && !d.isZero()) {
        return d;
      }
    } catch (DateTimeParseException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a positive ISO-8601 duration such as PT30S, got '" + text + "'");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    @Nullable String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }
}

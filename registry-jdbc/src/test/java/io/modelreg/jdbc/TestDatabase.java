package io.modelreg.jdbc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modelreg.RegistryOptions;
import io.modelreg.spi.RegistryStore;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL server the tests use: {@code MODELREG_IT_PG_URL} (a {@code jdbc:postgresql://…} URL of a user
 * allowed to create databases) with {@code MODELREG_IT_PG_PASSWORD} (or a password in the URL, {@code
 * PGPASSWORD}, {@code ~/.pgpass}). The tests of one JVM create one database of their own, {@code
 * modelreg_it_<random>}, and drop it when the JVM exits; each store gets a schema of its own inside it.
 *
 * <p>Without {@code MODELREG_IT_PG_URL} the tests are skipped with a message saying how to run them, unless
 * {@code MODELREG_REQUIRE_PG=1} (set by {@code .ci/run}, which starts a server): then they fail.
 */
final class TestDatabase {
  static final String URL_ENV = "MODELREG_IT_PG_URL";
  static final String PASSWORD_ENV = "MODELREG_IT_PG_PASSWORD";
  static final String REQUIRE_ENV = "MODELREG_REQUIRE_PG";
  /** Why a test is skipped without a server, and how to give it one. */
  static final String HOW_TO_RUN = "registry-jdbc's database tests need PostgreSQL: set " + URL_ENV
      + "=jdbc:postgresql://host:5432/postgres?user=NAME (a user who may create databases) and " + PASSWORD_ENV
      + ", or run `eval \"$(.ci/postgres start)\"` (see registry-jdbc/README.md)";
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static String database;

  private TestDatabase() {}

  /** Skips the calling test (or fails it, when PostgreSQL is required) if no server is configured. */
  static void require() {
    String url = System.getenv(URL_ENV);
    if (url == null || url.isBlank()) {
      if ("1".equals(System.getenv(REQUIRE_ENV))) {
        throw new AssertionError(REQUIRE_ENV + "=1 but " + URL_ENV + " is not set: .ci/run said it started"
            + " PostgreSQL, and the jdbc: tests cannot reach it");
      }
      assumeTrue(false, HOW_TO_RUN);
    }
  }

  /** The URL of this JVM's own test database, created on first use. */
  static synchronized String url() {
    require();
    if (database == null) {
      String name = "modelreg_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
      try (Connection c = DriverManager.getConnection(System.getenv(URL_ENV), credentials());
           Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      } catch (SQLException e) {
        throw new AssertionError("Cannot create the test database on " + JdbcRegistryProvider.describe(
            System.getenv(URL_ENV)) + ": " + e.getMessage(), e);
      }
      database = name;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name)));
    }
    return withDatabase(System.getenv(URL_ENV), database);
  }

  /** The URL of another database on the same server as {@code url}. */
  static String withDatabase(String url, String name) {
    int hostStart = url.indexOf("//") + 2;
    int slash = url.indexOf('/', hostStart);
    int query = url.indexOf('?');
    String base = slash < 0 ? (query < 0 ? url : url.substring(0, query)) : url.substring(0, slash);
    return base + "/" + name + (query < 0 ? "" : url.substring(query));
  }

  private static void drop(String name) {
    try (Connection c = DriverManager.getConnection(System.getenv(URL_ENV), credentials());
         Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      System.err.println("Could not drop the test database " + name + ": " + e.getMessage());
    }
  }

  static Properties credentials() {
    Properties p = new Properties();
    String password = System.getenv(PASSWORD_ENV);
    if (password != null) {
      p.setProperty("password", password);
    }
    return p;
  }

  /** A connection to this JVM's test database, for tests that look at or damage tables directly. */
  static Connection connect(String schema) throws SQLException {
    Connection c = DriverManager.getConnection(url(), credentials());
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path = " + schema);
    }
    return c;
  }

  /** A fresh schema name. */
  static String newSchema(String prefix) {
    return prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
  }

  /** Options with the test password and the schema. */
  static RegistryOptions.Builder options(String schema) {
    RegistryOptions.Builder b = RegistryOptions.builder().storeOption(JdbcRegistryProvider.SCHEMA, schema);
    String password = System.getenv(PASSWORD_ENV);
    if (password != null) {
      b.storeOption(JdbcRegistryProvider.PASSWORD, password);
    }
    return b;
  }

  /** Migrated schemas no test uses, ready to be emptied and handed out again ({@link #recycledSchema}). */
  private static final java.util.ArrayDeque<String> FREE_SCHEMAS = new java.util.ArrayDeque<>();

  /**
   * An empty, migrated schema for one test: one a previous test gave back ({@link #giveBack}), with every table
   * emptied by one {@code TRUNCATE … RESTART IDENTITY} (the schema history stays), or a new one, which the
   * store's opening migrates. A migration costs about a second on a busy machine, a truncation a few
   * milliseconds, and the test sees exactly what a freshly migrated schema holds: no rows.
   */
  static synchronized String recycledSchema(String prefix) {
    String schema = FREE_SCHEMAS.poll();
    if (schema == null) {
      return newSchema(prefix);
    }
    try (Connection c = connect(schema); Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet r = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = '" + schema
          + "' AND tablename <> 'modelreg_schema_history' ORDER BY tablename")) {
        while (r.next()) {
          tables.add(r.getString(1));
        }
      }
      s.execute("SET lock_timeout = '10s'"); // a store a test left open shows as a failure, not a hang
      s.execute("TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
    } catch (SQLException e) {
      throw new AssertionError("Cannot empty the test schema " + schema + ": " + e.getMessage(), e);
    }
    return schema;
  }

  /** Gives schemas back for {@link #recycledSchema} once every store on them is closed. */
  static synchronized void giveBack(java.util.Collection<String> schemas) {
    FREE_SCHEMAS.addAll(schemas);
  }

  /** Options with the test password, the schema and, unless null, the blob directory ({@code jdbc.blobs}). */
  static RegistryOptions.Builder options(String schema, @Nullable Path blobs) {
    RegistryOptions.Builder b = options(schema);
    if (blobs != null) {
      b.storeOption(JdbcRegistryProvider.BLOBS, blobs.toString());
    }
    return b;
  }

  /** A store on a schema of the test database. */
  static JdbcRegistryStore open(String schema) {
    return open(schema, null);
  }

  /** A store on a schema of the test database keeping its bytes in {@code blobs}, unless null. */
  static JdbcRegistryStore open(String schema, @Nullable Path blobs) {
    return (JdbcRegistryStore) new JdbcRegistryProvider().open(URI.create(url()), options(schema, blobs).build());
  }
}

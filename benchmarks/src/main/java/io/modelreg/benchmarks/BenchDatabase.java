package io.modelreg.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL server the P11 benchmarks run against: its URL from {@code -Dmodelreg.bench.pg}, the password from
 * {@code PGPASSWORD} (never in the URL, as {@code .ci/postgres start} hands it out), and a scratch schema per
 * benchmark JVM that is dropped at the end.
 */
final class BenchDatabase {
  private BenchDatabase() {}

  /** The server's JDBC URL, or an error saying how to give it. */
  static String url() {
    String url = System.getProperty("modelreg.bench.pg");
    if (url == null) {
      throw new IllegalStateException("Set -Dmodelreg.bench.pg=jdbc:postgresql://host:port/db?user=… (password in"
          + " PGPASSWORD)");
    }
    return url;
  }

  /** {@code PGPASSWORD}, or null when the server needs none. */
  static @Nullable String password() {
    return System.getenv("PGPASSWORD");
  }

  /** A plain connection to {@code url} with {@link #password()}. */
  static Connection connect(String url) throws SQLException {
    Properties credentials = new Properties();
    String password = password();
    if (password != null) {
      credentials.setProperty("password", password);
    }
    return DriverManager.getConnection(url, credentials);
  }

  /** A schema name no other benchmark JVM uses: {@code prefix} and this process id. */
  static String schema(String prefix) {
    return prefix + "_" + ProcessHandle.current().pid();
  }

  /** Drops {@code schema} and everything in it. */
  static void dropSchema(String url, String schema) throws SQLException {
    try (Connection c = connect(url); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}

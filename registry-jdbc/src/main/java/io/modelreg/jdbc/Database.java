package io.modelreg.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.modelreg.RegistryException;
import io.modelreg.Ticker;
import io.modelreg.TransientRegistryException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The connection pool, transactions with bounded retries, model locks and the translation of PostgreSQL's
 * errors into the registry's exceptions. Every store operation is one transaction run through {@link #tx};
 * inside {@link #withLock} the thread's operations run on the connection that holds the lock.
 */
final class Database implements AutoCloseable {
  /** SQLSTATEs after which the transaction was certainly rolled back and trying again may succeed. */
  private static final Set<String> RETRYABLE = Set.of(
      "40001", // serialization_failure
      "40P01", // deadlock_detected
      "55P03", // lock_not_available (lock_timeout)
      "57014", // query_canceled (statement_timeout)
      "57P01", // admin_shutdown
      "57P02", // crash_shutdown
      "57P03", // cannot_connect_now (starting up, shutting down)
      "53300", // too_many_connections
      "53400"); // configuration_limit_exceeded

  /** One unit of work on a connection, inside a transaction. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Work whose result may be null (what it looked for is absent, or it returns nothing). */
  interface NullableWork<T> {
    @Nullable T run(Connection c) throws SQLException;
  }

  private final HikariDataSource pool;
  private final String describe;
  private final String schema;
  private final Ticker ticker;
  private final int attempts;
  private final Duration lockTimeout;
  /** The connections holding model locks on this thread, innermost last. */
  private final ThreadLocal<Deque<Held>> held = ThreadLocal.withInitial(ArrayDeque::new);

  private static final class Held {
    final String model;
    Connection connection;
    int depth = 1;
    boolean broken;

    Held(String model, Connection connection) {
      this.model = model;
      this.connection = connection;
    }
  }

  Database(HikariDataSource pool, String describe, String schema, Ticker ticker, int attempts, Duration lockTimeout) {
    this.lockTimeout = lockTimeout;
    this.pool = pool;
    this.describe = describe;
    this.schema = schema;
    this.ticker = ticker;
    this.attempts = attempts;
  }

  HikariDataSource pool() {
    return pool;
  }

  String schema() {
    return schema;
  }

  /** The database and schema, without parameters or credentials. */
  String describe() {
    return describe;
  }

  /**
   * Runs {@code work} in one transaction and commits it. A failure after which the transaction was certainly
   * rolled back (a lost or refused connection, a timeout, a serialization failure) is tried again, at most
   * {@code attempts} times with a growing pause, then reported as {@link TransientRegistryException}. A lost
   * connection while committing is reported at once: the outcome is unknown, and trying again could apply the
   * change twice.
   */
  <T> T tx(String what, Work<T> work) {
    return java.util.Objects.requireNonNull(run(what, false, work::run), what);
  }

  /** {@link #tx} for work that may return null. */
  <T> @Nullable T txOrNull(String what, NullableWork<T> work) {
    return run(what, false, work);
  }

  /**
   * Like {@link #tx} for one read-only statement: run in autocommit mode, so it costs one round trip (no
   * {@code BEGIN}/{@code COMMIT}); retried the same way.
   */
  <T> T read(String what, Work<T> work) {
    return java.util.Objects.requireNonNull(run(what, true, work::run), what);
  }

  /** {@link #read} for work that may return null. */
  <T> @Nullable T readOrNull(String what, NullableWork<T> work) {
    return run(what, true, work);
  }

  private <T> @Nullable T run(String what, boolean oneStatement, NullableWork<T> work) {
    Held lock = held.get().peekLast();
    SQLException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        pause(attempt);
        if (lock != null && lock.broken) {
          relock(lock, what);
        }
      }
      boolean committing = false;
      Connection c = null;
      try {
        c = lock != null ? lock.connection : pool.getConnection();
        c.setAutoCommit(oneStatement);
        if (oneStatement) {
          return work.run(c);
        }
        @Nullable T result;
        try {
          result = work.run(c);
          committing = true;
          c.commit();
        } catch (SQLException | RuntimeException e) {
          if (!committing) {
            rollbackQuietly(c);
          }
          throw e;
        }
        return result;
      } catch (SQLException e) {
        last = e;
        boolean connectionLost = isConnectionLoss(e);
        if (committing && connectionLost) {
          if (lock != null) {
            lock.broken = true;
          }
          throw new TransientRegistryException("Lost the connection to " + describe + " while committing (" + what
              + "); the change may or may not have been stored: " + message(e), e);
        }
        if (!isRetryable(e)) {
          throw translate(what, e);
        }
        if (lock != null && connectionLost) {
          lock.broken = true; // the server dropped the session's lock with it: take it again before retrying
        }
      } finally {
        if (c != null && lock == null) {
          closeQuietly(c);
        }
      }
    }
    throw new TransientRegistryException("Cannot " + what + " in " + describe + " after " + attempts
        + " attempts; nothing was written: " + message(last), last);
  }

  /** Takes a lost model lock again on a new connection, so the operation can be retried under it. */
  private void relock(Held lock, String what) {
    pool.evictConnection(lock.connection);
    lock.connection = acquireLock("model", lock.model, "the write lock of '" + lock.model + "' again (to " + what + ")");
    lock.broken = false;
  }

  /**
   * Runs {@code action} holding the model's write lock: a PostgreSQL session advisory lock, so writers in other
   * processes and on other machines wait too. The thread's operations inside run on the locking connection.
   * The wait is bounded by the connection's {@code lock_timeout}. Reentrant.
   */
  <T> T withLock(String model, java.util.function.Supplier<T> action) {
    Deque<Held> stack = held.get();
    for (Held h : stack) {
      if (h.model.equals(model)) {
        h.depth++;
        try {
          return action.get();
        } finally {
          h.depth--;
        }
      }
    }
    Held h = new Held(model, acquireLock("model", model, "the write lock of '" + model + "'"));
    stack.addLast(h);
    try {
      return action.get();
    } finally {
      stack.removeLast();
      releaseLock(h.connection, "model", model, h.broken);
    }
  }

  /**
   * A pooled connection holding the session advisory lock {@code kind/name}. The lock is tried, and while
   * another session holds it tried again after a pause growing from 1 to 50 ms (on the ticker, so a waiting
   * thread is parked, not stuck in a socket read), for at most the lock timeout.
   */
  Connection acquireLock(String kind, String name, String what) {
    long key = lockKey(kind, name);
    long deadline = ticker.nanoTime() + lockTimeout.toNanos();
    long pauseMicros = 1000;
    int failures = 0;
    while (true) {
      Connection c = null;
      try {
        c = pool.getConnection();
        c.setAutoCommit(true);
        while (true) {
          try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            s.setLong(1, key);
            try (ResultSet r = s.executeQuery()) {
              r.next();
              if (r.getBoolean(1)) {
                return c;
              }
            }
          }
          if (ticker.nanoTime() > deadline) {
            closeQuietly(c);
            throw new TransientRegistryException("Gave up waiting for " + what + " in " + describe + " after "
                + lockTimeout + " (" + JdbcRegistryProvider.LOCK_TIMEOUT + "): another writer holds it", null);
          }
          sleep(Duration.ofNanos(pauseMicros * 1000));
          pauseMicros = Math.min(pauseMicros * 2, 50_000);
        }
      } catch (SQLException e) {
        if (c != null) {
          closeQuietly(c);
        }
        if (!isRetryable(e)) {
          throw translate("take " + what, e);
        }
        if (++failures >= attempts) {
          throw new TransientRegistryException("Cannot take " + what + " in " + describe + " after " + attempts
              + " attempts: " + message(e), e);
        }
        pause(failures + 1);
      }
    }
  }

  /** Releases a lock taken by {@link #acquireLock} and returns the connection, or evicts it if unusable. */
  void releaseLock(Connection c, String kind, String name, boolean broken) {
    boolean ok = !broken;
    if (ok) {
      try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
        s.setLong(1, lockKey(kind, name));
        s.execute();
      } catch (SQLException e) {
        ok = false;
      }
    }
    if (!ok) {
      pool.evictConnection(c); // closes it; the server drops its session locks with it
    } else {
      closeQuietly(c);
    }
  }

  /** A pooled connection for a session that holds it (an upload); connection failures are transient. */
  Connection connection(String what) {
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      throw translate(what, e);
    }
  }

  /** A 64-bit advisory lock key for {@code kind/name} in this schema (SHA-256; collisions only serialize). */
  long lockKey(String kind, String name) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(
          ("modelreg/" + schema + "/" + kind + "/" + name).getBytes(StandardCharsets.UTF_8));
      long key = 0;
      for (int i = 0; i < 8; i++) {
        key = (key << 8) | (h[i] & 0xff);
      }
      return key;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private void pause(int attempt) {
    long base = 25L << Math.min(attempt, 6); // 100 ms, 200 ms, 400 ms …
    sleep(Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1)));
  }

  private void sleep(Duration pause) {
    try {
      ticker.sleep(pause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientRegistryException("Interrupted while waiting to try again on " + describe, e);
    }
  }

  static boolean isConnectionLoss(SQLException e) {
    String state = e.getSQLState();
    return e instanceof SQLTransientConnectionException || state == null || state.startsWith("08")
        || state.equals("57P01") || state.equals("57P02");
  }

  static boolean isRetryable(SQLException e) {
    String state = e.getSQLState();
    return isConnectionLoss(e) || (state != null && RETRYABLE.contains(state));
  }

  /** A failure that is not worth retrying here, as the registry's exception; retryable ones stay transient. */
  RegistryException translate(String what, SQLException e) {
    if (isRetryable(e)) {
      return new TransientRegistryException("Cannot " + what + " in " + describe + ": " + message(e), e);
    }
    return new RegistryException("Cannot " + what + " in " + describe + ": " + message(e), e);
  }

  /** The driver's message with its SQLSTATE; the driver never puts the password in it. */
  static String message(@Nullable SQLException e) {
    if (e == null) {
      return "unknown failure";
    }
    String m = e.getMessage();
    return (m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ')) + " [SQLSTATE " + e.getSQLState() + "]";
  }

  static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      // the connection is gone; the server rolled back
    }
  }

  static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}

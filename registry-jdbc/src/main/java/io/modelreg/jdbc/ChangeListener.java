package io.modelreg.jdbc;

import io.modelreg.Ticker;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN modelreg_<schema>} on a connection of its own (not from the pool: LISTEN is session state),
 * counting the notifications the schema's triggers send when a change commits. The count is the store's
 * events change token: a watch skips its poll while it is unchanged and reads the logs at once when it moved.
 * Each notification also runs the wake hooks of the registries watching ({@link #addWake}), so their watches
 * poll at once instead of at their next interval: another process's change reaches a listener within a few
 * milliseconds of its commit, whatever the poll interval.
 *
 * <p>The poll is the safety net: while the listening connection is down the token is null, so every poll reads
 * the logs; the connection is opened again with a growing pause, and each new connection starts a new epoch
 * of the token (notifications sent while it was down are lost, so the first poll after reconnecting reads)
 * and wakes the watches, which read what they missed.
 */
final class ChangeListener implements AutoCloseable {
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
  }

  private final String url;
  private final Properties properties;
  private final String channel;
  private final String describe;
  private final Ticker ticker;
  private final AtomicLong count = new AtomicLong();
  private final List<Runnable> wakes = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile long epoch;
  private volatile boolean listening;
  private volatile boolean closed;
  private volatile @Nullable Connection connection;

  ChangeListener(String url, Properties properties, String schema, String describe, Ticker ticker) {
    this.url = url;
    this.properties = properties;
    this.channel = "modelreg_" + schema;
    this.describe = describe;
    this.ticker = ticker;
    this.thread = new Thread(this::run, "modelreg-listen " + describe);
    thread.setDaemon(true);
    thread.start();
  }

  /** Changes whenever a notification arrived or the listening connection was replaced; null while it is down. */
  @Nullable Object token() {
    return listening ? epoch + ":" + count.get() : null;
  }

  boolean listening() {
    return listening;
  }

  /** Runs {@code wake} (which must return at once) after every notification and every new listening session. */
  void addWake(Runnable wake) {
    wakes.add(wake);
    if (listening) {
      wake.run(); // the session may have started before the hook was added: changes since then are read now
    }
  }

  private void wakeAll() {
    for (Runnable wake : wakes) {
      try {
        wake.run();
      } catch (RuntimeException e) {
        Log.LOG.warn("A watch's wake hook on {} failed: {}", describe, e.toString());
      }
    }
  }

  private void run() {
    long pauseMillis = 50;
    while (!closed) {
      try (Connection c = DriverManager.getConnection(url, properties)) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        epoch++;
        listening = true;
        pauseMillis = 50;
        wakeAll(); // a new epoch: what was sent while no session listened must be read
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] notes = pg.getNotifications(500); // blocks up to 500 ms; also detects a dead socket
          if (notes != null && notes.length > 0) {
            count.addAndGet(notes.length); // before waking, so the poll it causes sees a new token
            wakeAll();
          }
          if (!c.isValid(5) && !closed) {
            throw new SQLException("the listening connection is no longer valid", "08006");
          }
        }
      } catch (SQLException e) {
        if (!closed) {
          Log.LOG.debug("Listening for changes in {} failed; polling until it is back: {}", describe, e.toString());
        }
      } finally {
        listening = false;
        connection = null;
      }
      if (closed) {
        return;
      }
      try {
        ticker.sleep(Duration.ofMillis(pauseMillis));
      } catch (InterruptedException e) {
        return;
      }
      pauseMillis = Math.min(pauseMillis * 2, 5000);
    }
  }

  @Override
  public void close() {
    closed = true;
    listening = false;
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
    thread.interrupt();
  }
}

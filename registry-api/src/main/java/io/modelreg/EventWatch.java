package io.modelreg;

import io.modelreg.spi.RegistryStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code watch} and {@code watchAll}: delivers events from the store's logs on one daemon thread, at every
 * poll interval, at once after a write through this registry ({@link #wake}), and at once when the store
 * signals that a log may have grown ({@link RegistryStore#onEventsChanged}; signals arriving while a poll is
 * already pending are folded into it). Each subscription keeps its
 * own cursor per model, so it sees each event once, in order, from the moment it subscribed. A listener that
 * throws is logged and keeps receiving.
 */
final class EventWatch {
  /** Created on first use, so opening a registry does not initialise the logging backend. */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(EventWatch.class);
  }

  /** However sure the store's events token is, a watch on every model reads every log this often. */
  static final long FULL_POLL_NANOS = 30_000_000_000L;

  private final RegistryStore store;
  private final RegistryOptions options;
  private final Consumer<String> changed;
  private final List<Sub> subs = new CopyOnWriteArrayList<>();
  private volatile @Nullable ScheduledExecutorService executor;
  /** A poll asked for by the store's signal is queued and has not started yet. */
  private final AtomicBoolean signalPending = new AtomicBoolean();

  /** {@code changed} learns each model whose log grew, before its listeners do (the registry drops its cache). */
  EventWatch(RegistryStore store, RegistryOptions options, Consumer<String> changed) {
    this.store = store;
    this.options = options;
    this.changed = changed;
  }

  /** Subscribes {@code listener} to one model's events, or to every model's when {@code model} is null. */
  synchronized Subscription add(@Nullable String model, Consumer<RegistryEvent> listener) {
    Map<String, Long> cursors = new HashMap<>();
    for (String name : model != null ? List.of(model) : store.listModelNames()) {
      cursors.put(name, store.lastEventSequence(name));
    }
    Sub sub = new Sub(model, listener, cursors);
    subs.add(sub);
    if (executor == null) {
      ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "modelreg-watch " + store.describe());
        t.setDaemon(true);
        return t;
      });
      long period = options.watchPollInterval().toNanos();
      ex.scheduleWithFixedDelay(this::poll, period, period, TimeUnit.NANOSECONDS);
      executor = ex;
      store.onEventsChanged(this::signalled);
    }
    return sub;
  }

  /** Polls now (on the watch thread), after this registry appended an event. */
  void wake() {
    ScheduledExecutorService ex = executor;
    if (ex != null && !subs.isEmpty()) {
      try {
        ex.execute(this::poll);
      } catch (RejectedExecutionException e) {
        // shutting down
      }
    }
  }

  /**
   * The store says a log may have grown (another process's commit): polls now on the watch thread, unless a
   * poll asked for this way is still queued, which will see the change too (the flag drops when it starts).
   */
  void signalled() {
    ScheduledExecutorService ex = executor;
    if (ex == null || subs.isEmpty() || !signalPending.compareAndSet(false, true)) {
      return;
    }
    try {
      ex.execute(() -> {
        signalPending.set(false);
        poll();
      });
    } catch (RejectedExecutionException e) {
      signalPending.set(false); // shutting down
    }
  }

  /** Every subscription polls once; package-private so tests can drive the watch without its thread. */
  void poll() {
    for (Sub sub : subs) {
      try {
        sub.poll();
      } catch (RuntimeException e) {
        Log.LOG.warn("Watching {} failed; retrying at the next poll: {}", store.describe(), e.toString());
      }
    }
  }

  synchronized void shutdown() {
    subs.clear();
    ScheduledExecutorService ex = executor;
    if (ex != null) {
      ex.shutdownNow();
    }
  }

  private final class Sub implements Subscription {
    private final @Nullable String model;
    private final Consumer<RegistryEvent> listener;
    private final Map<String, Long> cursors;
    private volatile boolean active = true;
    /** For a watch on every model: the store's events token when the last complete poll began. */
    private @Nullable Object seenToken;
    private long lastFullPoll;

    Sub(@Nullable String model, Consumer<RegistryEvent> listener, Map<String, Long> cursors) {
      this.model = model;
      this.listener = listener;
      this.cursors = cursors;
      this.lastFullPoll = options.ticker().nanoTime();
    }

    void poll() {
      // read before the poll, kept after it: a change made during the poll is seen by the next one; and a
      // full poll at least every half minute, whatever the token says
      Object token = model == null ? store.eventsChangeToken() : null;
      long now = options.ticker().nanoTime();
      if (token != null && token.equals(seenToken) && now - lastFullPoll < FULL_POLL_NANOS) {
        return;
      }
      List<String> names = new ArrayList<>();
      if (model != null) {
        names.add(model);
      } else {
        names.addAll(store.listModelNames());
        for (String known : cursors.keySet()) {
          if (!names.contains(known)) {
            names.add(known);
          }
        }
      }
      for (String name : names) {
        List<RegistryEvent> events = store.readEvents(name, cursors.getOrDefault(name, 0L));
        if (!events.isEmpty()) {
          changed.accept(name); // a listener that reads the registry must see the change the event reports
        }
        for (RegistryEvent e : events) {
          if (!active) {
            return;
          }
          cursors.put(name, e.sequence());
          try {
            listener.accept(e);
          } catch (RuntimeException ex) {
            Log.LOG.warn("A registry event listener failed on {}", e, ex);
          }
        }
      }
      seenToken = token;
      lastFullPoll = now;
    }

    @Override
    public void close() {
      active = false;
      subs.remove(this);
    }
  }
}

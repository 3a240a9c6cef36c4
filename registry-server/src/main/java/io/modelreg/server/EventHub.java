package io.modelreg.server;

import io.modelreg.ModelRegistry;
import io.modelreg.RegistryEvent;
import io.modelreg.Subscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Fans registry events (and pool switches) out to Server-Sent-Event clients, and keeps the most recent ones so
 * a client that reconnects with {@code Last-Event-ID} gets what it missed.
 *
 * <p>Ids are {@code <epoch>-<n>}: {@code n} counts events since this server started, {@code epoch} names the
 * start. An id from another start, or older than the buffer, cannot be resumed exactly; such a client gets
 * one {@code reset} event and should reload its state.
 */
final class EventHub implements AutoCloseable {
  /** One event as sent: its id, SSE event name, model (for filtering; null for pool events) and JSON data. */
  record Item(long n, String event, @Nullable String model, byte[] data) {}

  /** A connected client: its queue and model filter. */
  final class Client {
    final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(CLIENT_QUEUE);
    final @Nullable String model;
    volatile boolean overflowed;

    Client(@Nullable String model) {
      this.model = model;
    }

    boolean wants(Item item) {
      return model == null || item.model() == null || model.equals(item.model());
    }
  }

  static final Item CLOSE = new Item(-1, "close", null, new byte[0]);
  static final int CLIENT_QUEUE = 4096;
  static final int MAX_CLIENTS = 256;

  final String epoch;
  private final int capacity;
  private final ArrayDeque<Item> recent = new ArrayDeque<>();
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final AtomicLong counter = new AtomicLong();
  private final Object lock = new Object();
  private final @Nullable Subscription subscription;
  private final List<java.util.function.Consumer<RegistryEvent>> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean closed;

  EventHub(ModelRegistry registry, int capacity, long startMillis) {
    this.capacity = capacity;
    this.epoch = Long.toString(startMillis, 36);
    this.subscription = registry.watchAll(this::onEvent);
  }

  void observe(java.util.function.Consumer<RegistryEvent> observer) {
    observers.add(observer);
  }

  private void onEvent(RegistryEvent e) {
    for (var o : observers) {
      o.accept(e);
    }
    publish("registry", e.model(), Json.write(Views.event(e)));
  }

  /** Publishes an event to every client and the resume buffer. */
  void publish(String event, @Nullable String model, byte[] data) {
    Item item;
    synchronized (lock) {
      item = new Item(counter.incrementAndGet(), event, model, data);
      recent.addLast(item);
      while (recent.size() > capacity) {
        recent.removeFirst();
      }
      for (Client c : clients) {
        if (c.wants(item) && !c.queue.offer(item)) {
          c.overflowed = true;
        }
      }
    }
  }

  /**
   * Connects a client; returns null when too many are connected. Events after {@code lastEventId} are queued
   * first; a {@code reset} item is queued if they cannot all be replayed.
   */
  @Nullable Client connect(@Nullable String lastEventId, @Nullable String model) {
    if (closed || clients.size() >= MAX_CLIENTS) {
      return null;
    }
    Client c = new Client(model);
    synchronized (lock) {
      if (lastEventId != null && !lastEventId.isBlank()) {
        long after = resumePoint(lastEventId.trim());
        long oldest = recent.isEmpty() ? counter.get() + 1 : recent.peekFirst().n();
        if (after < 0 || after + 1 < oldest) {
          c.queue.add(new Item(counter.get(), "reset", null,
              Json.write(Map.of("reason", after < 0 ? "unknown or earlier server start: " + lastEventId
                  : "events after " + lastEventId + " are no longer buffered"))));
        } else {
          List<Item> replay = new ArrayList<>();
          for (Item i : recent) {
            if (i.n() > after && c.wants(i)) {
              replay.add(i);
            }
          }
          if (replay.size() >= CLIENT_QUEUE) {
            c.queue.add(new Item(counter.get(), "reset", null, Json.write(Map.of("reason", "too many events missed"))));
          } else {
            c.queue.addAll(replay);
          }
        }
      }
      clients.add(c);
    }
    return c;
  }

  private long resumePoint(String id) {
    int dash = id.indexOf('-');
    if (dash < 0 || !id.substring(0, dash).equals(epoch)) {
      return -1;
    }
    try {
      long n = Long.parseLong(id.substring(dash + 1));
      return n >= 0 && n <= counter.get() ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  String id(Item item) {
    return epoch + "-" + item.n();
  }

  void disconnect(Client c) {
    clients.remove(c);
  }

  int clientCount() {
    return clients.size();
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        // closing the watch of a closing registry
      }
    }
    for (Client c : clients) {
      c.queue.clear();
      c.queue.offer(CLOSE);
    }
  }
}

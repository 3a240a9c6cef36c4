package io.modelreg.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelreg.ModelRegistry;
import io.modelreg.RegistryEvent;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The server's Micrometer meters, scraped at {@code /metrics} in Prometheus text format: HTTP requests by
 * method, route pattern and status; registry events by type; models; open event streams; the pool's figures
 * (when a pool is shown); JVM memory, threads, CPU and uptime.
 */
final class ServerMetrics {
  final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final @Nullable PoolView pool;

  ServerMetrics(ModelRegistry registry, EventHub events, @Nullable PoolView pool) {
    this.pool = pool;
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    Gauge.builder("modelreg.registry.models", registry, r -> r.listModels().size())
        .description("Registered models (prompts included)").register(meters);
    Gauge.builder("modelreg.server.event.streams", events, EventHub::clientCount)
        .description("Open Server-Sent-Event streams").register(meters);
    events.observe(this::onEvent);
    if (pool != null) {
      pool.bindTo(meters);
    }
  }

  private void onEvent(RegistryEvent e) {
    Counter.builder("modelreg.registry.events").description("Registry changes seen, by type")
        .tag("type", e.type().name()).register(meters).increment();
  }

  void request(String method, String route, int status, long nanos) {
    Timer.builder("http.server.requests").description("HTTP requests by method, route pattern and status")
        .tag("method", method).tag("uri", route).tag("status", Integer.toString(status))
        .tag("outcome", outcome(status)).register(meters).record(nanos, TimeUnit.NANOSECONDS);
  }

  private static String outcome(int status) {
    if (status >= 500) {
      return "SERVER_ERROR";
    }
    if (status >= 400) {
      return "CLIENT_ERROR";
    }
    if (status >= 300) {
      return "REDIRECTION";
    }
    return "SUCCESS";
  }

  String scrape() {
    if (pool != null) {
      pool.refreshGauges(meters);
    }
    return meters.scrape();
  }
}

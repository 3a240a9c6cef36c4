package io.modelreg.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.inference.pool.MemoryBudget;
import io.modelreg.inference.pool.ModelPool;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Prometheus metrics at /metrics, and a real ModelPool's live state at /api/v1/pool, in /metrics and as switch events. */
class MetricsTest {

  /** A pool of trivial models: the pool's admission, leases, metrics and switching are real, the models tiny. */
  static ModelPool<AutoCloseable> pool(Fixture f) {
    return ModelPool.<AutoCloseable>builder(f.registry, (registry, version) -> () -> { })
        .budget(MemoryBudget.bytes(64L << 20)).build();
  }

  @Test
  void httpRegistryAndJvmMetricsAreScrapedInPrometheusFormat() {
    try (Fixture f = new Fixture()) {
      f.get("/api/v1/models");
      f.get("/api/v1/models/nope");
      f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":2}", true);
      HttpResponse<String> r = f.get("/metrics");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
      String text = r.body();
      assertThat(text).contains("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/v1/models\"} 1")
          .contains("status=\"404\",uri=\"/api/v1/models/{name}\"} 1")
          .contains("uri=\"/api/v1/models/{name}/aliases/{alias}\"")
          .contains("modelreg_registry_models 3")
          .contains("modelreg_server_event_streams 0")
          .contains("jvm_memory_used_bytes");
      assertThat(text).as("the route pattern is the label, never the raw path").doesNotContain("uri=\"/api/v1/models/churn");
      awaitContains(f, "modelreg_registry_events_total{type=\"ALIAS_SET\"} 1");
      assertThat(text).doesNotContain("modelreg_pool_");
    }
  }

  @Test
  void aPoolsBudgetMemoryHitRateAndPerVersionLatencyAreShownAndScraped() throws Exception {
    try (Fixture f = new Fixture(); ModelPool<AutoCloseable> pool = pool(f)) {
      f.restart(ServerOptions.builder().pool(pool).build());
      for (int i = 0; i < 5; i++) {
        pool.call("models:/churn@champion", lease -> lease.version().number());
      }
      JsonNode p = Fixture.json(f.get("/api/v1/pool"));
      assertThat(p.get("budgetBytes").asLong()).isEqualTo(64L << 20);
      assertThat(p.get("loadedModels").asInt()).isEqualTo(1);
      assertThat(p.get("hits").asLong() + p.get("misses").asLong()).isEqualTo(5);
      assertThat(p.get("hitRate").asDouble()).isGreaterThan(0.5);
      JsonNode v = p.get("versions").get(0);
      assertThat(v.get("key").asText()).isEqualTo("churn/1");
      assertThat(v.get("requests").asLong()).isEqualTo(5);
      assertThat(v.get("p99Micros").asDouble()).isGreaterThanOrEqualTo(v.get("p50Micros").asDouble());
      assertThat(Fixture.json(f.get("/api/v1/server")).get("pool").asBoolean()).isTrue();
      String text = f.get("/metrics").body();
      assertThat(text).contains("modelreg_pool_budget_bytes 6.7108864E7").contains("modelreg_pool_models_loaded 1")
          .contains("modelreg_pool_latency_p99_microseconds{version=\"churn/1\"}")
          .contains("modelreg_pool_requests{version=\"churn/1\"} 5");
    }
  }

  @Test
  void aPoolSwitchArrivesAsASwitchEvent() throws Exception {
    try (Fixture f = new Fixture(); ModelPool<AutoCloseable> pool = pool(f)) {
      f.restart(ServerOptions.builder().pool(pool).build());
      pool.call("models:/churn@champion", lease -> lease.version().number());
      EventsTest outer = new EventsTest();
      outer.f = f;
      try (EventsTest.Stream_ s = outer.new Stream_("")) {
        f.registry.setAlias("churn", "champion", 2);
        JsonNode sw = null;
        for (int i = 0; i < 5 && sw == null; i++) {
          EventsTest.Sse e = s.next();
          if (e.event().equals("switch")) {
            sw = e.json();
          }
        }
        assertThat(sw).as("a switch event").isNotNull();
        assertThat(sw.get("uri").asText()).isEqualTo("models:/churn@champion");
        assertThat(sw.get("from").asText()).isEqualTo("churn/1");
        assertThat(sw.get("to").asText()).isEqualTo("churn/2");
      }
    }
  }

  private static void awaitContains(Fixture f, String line) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String text = "";
    while (System.nanoTime() < deadline) {
      text = f.get("/metrics").body();
      if (text.contains(line)) {
        return;
      }
      Thread.onSpinWait();
    }
    assertThat(text).contains(line);
  }
}

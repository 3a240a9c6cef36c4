package io.modelreg.server;

import static io.modelreg.server.Fixture.json;
import static io.modelreg.server.ReadApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.MetricRecord;
import io.modelreg.Stage;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every write route over real HTTP, each checked against the registry afterwards. */
class WriteApiTest {
  Fixture f;

  @BeforeEach
  void start() {
    f = new Fixture();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void promotingMovesTheStageAndArchivesTheFormerProductionHolder() {
    HttpResponse<String> r = f.write("POST", "/api/v1/models/churn/versions/2/stage", "{\"stage\":\"production\"}", true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("stage").asText()).isEqualTo("PRODUCTION");
    assertThat(json(r).get("revision").asLong()).isEqualTo(lastSequence());
    assertThat(r.headers().firstValue("ETag")).hasValue("\"r" + lastSequence() + "\"");
    assertThat(f.registry.getVersion("churn", 2).stage()).isEqualTo(Stage.PRODUCTION);
    assertThat(f.registry.getVersion("churn", 1).stage()).isEqualTo(Stage.ARCHIVED);
  }

  @Test
  void archivingAndAStageSkipAreChecked() {
    HttpResponse<String> skip = f.write("POST", "/api/v1/models/churn/versions/3/stage", "{\"stage\":\"production\"}", true);
    assertProblem(skip, 422, "promotion-rejected");
    HttpResponse<String> archived = f.write("POST", "/api/v1/models/churn/versions/3/stage", "{\"stage\":\"archived\"}", true);
    assertThat(archived.statusCode()).isEqualTo(200);
    assertThat(f.registry.getVersion("churn", 3).stage()).isEqualTo(Stage.ARCHIVED);
    assertProblem(f.write("POST", "/api/v1/models/churn/versions/3/stage", "{\"stage\":\"live\"}", true), 400, "invalid-request");
  }

  @Test
  void rollbackReturnsProductionToThePreviousHolder() {
    f.registry.transition("churn", 2, Stage.PRODUCTION);
    assertThat(json(f.get("/api/v1/models/churn")).get("productionHistory").toString()).isEqualTo("[1]");
    HttpResponse<String> r = f.write("POST", "/api/v1/models/churn/rollback", "", true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("number").asInt()).isEqualTo(1);
    assertThat(f.registry.getModel("churn").productionVersion()).hasValue(1);
    HttpResponse<String> none = f.write("POST", "/api/v1/models/fraud/rollback", "", true);
    assertProblem(none, 409, "invalid-state");
  }

  @Test
  void aliasesAreSetMovedAndDeleted() {
    HttpResponse<String> r = f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":2}", true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(f.registry.resolve("models:/churn@champion").number()).isEqualTo(2);
    HttpResponse<String> d = f.write("DELETE", "/api/v1/models/churn/aliases/champion", "", true);
    assertThat(d.statusCode()).isEqualTo(200);
    assertThat(f.registry.getModel("churn").userAliases()).doesNotContainKey("champion");
    assertProblem(f.write("PUT", "/api/v1/models/churn/aliases/production", "{\"version\":2}", true), 400, "invalid-request");
    assertProblem(f.write("PUT", "/api/v1/models/churn/aliases/x", "{\"version\":99}", true), 404, "not-found");
    assertProblem(f.write("PUT", "/api/v1/models/churn/aliases/x", "{\"version\":\"2\"}", true), 400, "invalid-request");
  }

  @Test
  void tagsOnModelsAndVersionsAreSetAndDeletedEvenWithSlashesInTheKey() {
    assertThat(f.write("PUT", "/api/v1/models/churn/tags/owner", "{\"value\":\"ada\"}", true).statusCode()).isEqualTo(200);
    assertThat(f.registry.getModel("churn").tags()).containsEntry("owner", "ada");
    assertThat(f.write("PUT", "/api/v1/models/churn/versions/1/tags/ci/job", "{\"value\":\"42\"}", true).statusCode()).isEqualTo(200);
    assertThat(f.registry.getVersion("churn", 1).tags()).containsEntry("ci/job", "42");
    assertThat(f.write("DELETE", "/api/v1/models/churn/versions/1/tags/ci/job", "", true).statusCode()).isEqualTo(200);
    assertThat(f.registry.getVersion("churn", 1).tags()).doesNotContainKey("ci/job");
    assertThat(f.write("DELETE", "/api/v1/models/churn/tags/owner", "", true).statusCode()).isEqualTo(200);
    assertThat(f.registry.getModel("churn").tags()).doesNotContainKey("owner");
    assertProblem(f.write("PUT", "/api/v1/models/churn/tags/modelreg.x", "{\"value\":\"1\"}", true), 400, "invalid-request");
  }

  @Test
  void aMetricRecordWithoutATimeTakesTheServersClock() {
    f.close();
    f = new Fixture(ServerOptions.builder().clock(Clock.fixed(Instant.parse("2026-05-04T03:02:01Z"), ZoneOffset.UTC)).build());
    HttpResponse<String> r = f.write("POST", "/api/v1/models/churn/versions/2/metrics", "{\"runId\":\"nightly\",\"values\":{\"auc\":0.9}}", true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(f.registry.getVersion("churn", 2).metricRuns().get(0).time()).hasToString("2026-05-04T03:02:01Z");
  }

  @Test
  void metricRecordsAreAppendedWithEveryValue() {
    HttpResponse<String> r = f.write("POST", "/api/v1/models/churn/versions/2/metrics",
        "{\"runId\":\"bench-7\",\"values\":{\"latency_p99_ms\":4.5,\"accuracy\":0.94},\"notes\":\"nightly\",\"time\":\"2026-01-31T12:00:00Z\"}", true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    MetricRecord rec = f.registry.getVersion("churn", 2).metricRuns().get(0);
    assertThat(rec.runId()).isEqualTo("bench-7");
    assertThat(rec.values()).containsEntry("latency_p99_ms", 4.5).containsEntry("accuracy", 0.94);
    assertThat(rec.notes()).isEqualTo("nightly");
    assertThat(rec.time()).hasToString("2026-01-31T12:00:00Z");
    assertProblem(f.write("POST", "/api/v1/models/churn/versions/2/metrics", "{\"runId\":\"x\",\"values\":{\"a\":\"high\"}}", true),
        400, "invalid-request");
    assertProblem(f.write("POST", "/api/v1/models/churn/versions/2/metrics", "{\"runId\":\"x\",\"values\":{}}", true),
        400, "invalid-request");
    assertProblem(f.write("POST", "/api/v1/models/churn/versions/2/metrics", "{\"runId\":\"x\",\"values\":{\"a\":1},\"time\":\"yesterday\"}", true),
        400, "invalid-request");
  }

  @Test
  void aWriteWithTheCurrentRevisionSucceedsAndAStaleOneIs409AndChangesNothing() {
    String etag = f.get("/api/v1/models/churn").headers().firstValue("ETag").orElseThrow();
    f.registry.setAlias("churn", "challenger", 2); // someone else, between our read and our write
    HttpResponse<String> stale = f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":2}", true, "If-Match", etag);
    assertProblem(stale, 409, "stale-revision");
    JsonNode p = json(stale);
    assertThat(p.get("currentRevision").asLong()).isEqualTo(lastSequence());
    assertThat(p.get("detail").asText()).contains("someone else changed it");
    assertThat(f.registry.resolve("models:/churn@champion").number()).isEqualTo(1);
    String fresh = f.get("/api/v1/models/churn").headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> ok = f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":2}", true, "If-Match", fresh);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertProblem(f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":2}", true, "If-Match", "yesterday"),
        400, "invalid-request");
  }

  @Test
  void twoClientsRacingWithTheSameRevisionOneWinsTheOtherGets409() throws Exception {
    String etag = f.get("/api/v1/models/churn").headers().firstValue("ETag").orElseThrow();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<Integer> a = () -> f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":2}", true, "If-Match", etag).statusCode();
      Callable<Integer> b = () -> f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":3}", true, "If-Match", etag).statusCode();
      Future<Integer> fa = pool.submit(a);
      Future<Integer> fb = pool.submit(b);
      assertThat(java.util.List.of(fa.get(), fb.get())).containsExactlyInAnyOrder(200, 409);
    } finally {
      pool.shutdownNow();
    }
  }

  private long lastSequence() {
    var h = f.registry.history("churn");
    return h.get(h.size() - 1).sequence();
  }
}

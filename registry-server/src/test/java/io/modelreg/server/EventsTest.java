package io.modelreg.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Server-Sent Events at /api/v1/events over real HTTP: live delivery, Last-Event-ID resume, filters, shutdown. */
class EventsTest {
  Fixture f;

  @BeforeEach
  void start() {
    f = new Fixture();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** One SSE event as parsed from the stream. */
  record Sse(String id, String event, String data) {
    JsonNode json() {
      try {
        return Fixture.JSON.readTree(data);
      } catch (Exception e) {
        throw new AssertionError(data, e);
      }
    }
  }

  /** An open stream whose events are parsed on the client's thread into a queue. */
  final class Stream_ implements AutoCloseable {
    final BlockingQueue<Sse> events = new LinkedBlockingQueue<>();
    final CompletableFuture<HttpResponse<Stream<String>>> response;
    final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    volatile String contentType = "";

    Stream_(String query, String... headers) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(f.uri("/api/v1/events" + query)).header("Accept", "text/event-stream");
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      response = f.http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines());
      HttpResponse<Stream<String>> r = response.get(10, TimeUnit.SECONDS);
      contentType = r.headers().firstValue("Content-Type").orElse("");
      Thread t = new Thread(() -> {
        String id = "";
        String event = "message";
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = r.body()) {
          for (String line : (Iterable<String>) lines::iterator) {
            if (line.isEmpty()) {
              if (data.length() > 0) {
                events.add(new Sse(id, event, data.toString()));
              }
              id = "";
              event = "message";
              data.setLength(0);
            } else if (line.startsWith("id: ")) {
              id = line.substring(4);
            } else if (line.startsWith("event: ")) {
              event = line.substring(7);
            } else if (line.startsWith("data: ")) {
              data.append(line.substring(6));
            }
          }
        } catch (RuntimeException e) {
          // the stream was cut
        }
        ended.countDown();
      }, "sse-reader");
      t.setDaemon(true);
      t.start();
    }

    Sse next() throws InterruptedException {
      Sse e = events.poll(20, TimeUnit.SECONDS);
      assertThat(e).as("an event within 20 s").isNotNull();
      return e;
    }

    @Override
    public void close() {
      response.thenAccept(r -> r.body().close());
    }
  }

  @Test
  void aChangeArrivesAsAnEventWithAnIdTypeAndDetails() throws Exception {
    try (Stream_ s = new Stream_("")) {
      assertThat(s.contentType).startsWith("text/event-stream");
      f.registry.setAlias("churn", "champion", 2);
      Sse e = s.next();
      assertThat(e.event()).isEqualTo("registry");
      assertThat(e.id()).matches("[0-9a-z]+-\\d+");
      JsonNode data = e.json();
      assertThat(data.get("model").asText()).isEqualTo("churn");
      assertThat(data.get("type").asText()).isEqualTo("ALIAS_SET");
      assertThat(data.get("version").asInt()).isEqualTo(2);
      assertThat(data.get("details").get("alias").asText()).isEqualTo("champion");
    }
  }

  @Test
  void aWriteThroughTheApiReachesAnotherClientsStream() throws Exception {
    try (Stream_ s = new Stream_("")) {
      f.write("POST", "/api/v1/models/churn/versions/2/stage", "{\"stage\":\"production\"}", true);
      List<String> types = new ArrayList<>();
      types.add(s.next().json().get("type").asText());
      assertThat(types).containsExactly("STAGE_CHANGED");
    }
  }

  @Test
  void reconnectingWithLastEventIdReplaysExactlyTheEventsMissed() throws Exception {
    String lastId;
    try (Stream_ s = new Stream_("")) {
      f.registry.setModelTag("churn", "a", "1");
      lastId = s.next().id();
    }
    f.registry.setModelTag("churn", "b", "2");
    f.registry.setModelTag("fraud", "c", "3");
    f.registry.setAlias("churn", "champion", 2);
    // the missed events reach the hub through the registry's watch; wait until a live stream has seen them all
    try (Stream_ witness = new Stream_("", "Last-Event-ID", lastId)) {
      List<String> seen = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        seen.add(witness.next().json().get("type").asText());
      }
      assertThat(seen).as("order is kept per model, not across models").containsExactlyInAnyOrder("MODEL_TAG_SET", "MODEL_TAG_SET", "ALIAS_SET");
    }
    try (Stream_ resumed = new Stream_("?model=churn", "Last-Event-ID", lastId)) {
      Sse first = resumed.next();
      Sse second = resumed.next();
      assertThat(first.json().get("details").get("tag").asText()).isEqualTo("b");
      assertThat(second.json().get("type").asText()).isEqualTo("ALIAS_SET");
      assertThat(Long.parseLong(second.id().split("-")[1])).isGreaterThan(Long.parseLong(first.id().split("-")[1]));
      assertThat(resumed.events.poll(300, TimeUnit.MILLISECONDS)).as("nothing else, and fraud is filtered out").isNull();
    }
  }

  @Test
  void anIdFromAnotherServerStartGetsAResetEvent() throws Exception {
    try (Stream_ s = new Stream_("", "Last-Event-ID", "zzz-5")) {
      Sse e = s.next();
      assertThat(e.event()).isEqualTo("reset");
      assertThat(e.json().get("reason").asText()).contains("zzz-5");
    }
  }

  @Test
  void theLastEventIdMayComeAsAQueryParameterForTheFirstConnection() throws Exception {
    try (Stream_ s = new Stream_("?lastEventId=zzz-1")) {
      assertThat(s.next().event()).isEqualTo("reset");
    }
  }

  @Test
  void closingTheServerEndsOpenStreams() throws Exception {
    Stream_ s = new Stream_("");
    f.server.close();
    assertThat(s.ended.await(20, TimeUnit.SECONDS)).as("the stream ends when the server closes").isTrue();
    f.server = RegistryServer.start(f.registry, ServerOptions.defaults());
  }

  @Test
  void anInvalidModelFilterIsA400() {
    ReadApiTest.assertProblem(f.get("/api/v1/events?model=" + ReadApiTest.enc("a b")), 400, "invalid-request");
  }
}

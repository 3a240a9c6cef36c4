package io.modelreg.server;

import static io.modelreg.server.Fixture.json;
import static io.modelreg.server.ReadApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Loopback, the token, read-only mode, size limits, path validation, CORS. */
class SecurityTest {
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
  void theServerListensOnLoopbackByDefaultWithAGeneratedToken() {
    assertThat(f.server.uri().getHost()).isEqualTo("127.0.0.1");
    assertThat(f.server.token()).hasSizeGreaterThanOrEqualTo(40);
    assertThat(f.server.consoleUri().getFragment()).isEqualTo("token=" + f.server.token());
  }

  @Test
  void aTokenlessWriteIs401AndChangesNothing() {
    long events = f.registry.history("churn").size();
    HttpResponse<String> r = f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":2}", false);
    assertProblem(r, 401, "unauthorized");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(f.registry.resolve("models:/churn@champion").number()).isEqualTo(1);
    assertThat(f.registry.history("churn")).hasSize((int) events);
  }

  @Test
  void aWrongTokenIs401() {
    HttpResponse<String> r = f.write("POST", "/api/v1/models/churn/rollback", "", false, "Authorization", "Bearer not-the-token-at-all");
    assertProblem(r, 401, "unauthorized");
    assertThat(f.registry.getModel("churn").productionVersion()).hasValue(1);
  }

  @Test
  void aGivenTokenIsUsedAndAShortOneRefused() {
    f.restart(ServerOptions.builder().token("a-long-enough-secret-token").build());
    assertThat(f.server.token()).isEqualTo("a-long-enough-secret-token");
    assertThat(f.write("PUT", "/api/v1/models/churn/tags/x", "{\"value\":\"1\"}", false, "Authorization",
        "Bearer a-long-enough-secret-token").statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> ServerOptions.builder().token("short")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 16");
  }

  @Test
  void readOnlyModeRefusesEveryWriteEvenWithTheTokenButServesReadsAndRenders() {
    f.restart(ServerOptions.builder().readOnly(true).build());
    HttpResponse<String> r = f.write("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\":2}", true);
    assertProblem(r, 403, "read-only");
    assertThat(f.registry.resolve("models:/churn@champion").number()).isEqualTo(1);
    assertThat(f.get("/api/v1/models/churn").statusCode()).isEqualTo(200);
    assertThat(f.write("POST", "/api/v1/prompts/greet/versions/1/render", "{\"values\":{\"name\":\"x\"}}", false).statusCode())
        .isEqualTo(200);
    assertThat(json(f.get("/api/v1/server")).get("readOnly").asBoolean()).isTrue();
    assertThat(f.server.consoleUri().getFragment()).isNull();
  }

  @Test
  void anOversizedBodyIs413BeforeItIsRead() {
    String big = "{\"value\":\"" + "x".repeat(ServerOptions.DEFAULT_MAX_BODY_BYTES) + "\"}";
    HttpResponse<String> r = f.write("PUT", "/api/v1/models/churn/tags/big", big, true);
    assertProblem(r, 413, "body-too-large");
    assertThat(json(r).get("detail").asText()).contains(Integer.toString(ServerOptions.DEFAULT_MAX_BODY_BYTES));
    assertThat(f.registry.getModel("churn").tags()).doesNotContainKey("big");
  }

  @Test
  void anOversizedChunkedBodyWithoutLengthIs413Too() throws Exception {
    byte[] chunk = ("{\"value\":\"" + "y".repeat(ServerOptions.DEFAULT_MAX_BODY_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
    HttpRequest req = HttpRequest.newBuilder(f.uri("/api/v1/models/churn/tags/big"))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(chunk)))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + f.server.token()).build();
    HttpResponse<String> r = f.http.send(req, HttpResponse.BodyHandlers.ofString());
    assertProblem(r, 413, "body-too-large");
    assertThat(f.registry.getModel("churn").tags()).doesNotContainKey("big");
  }

  @Test
  void aBodyThatIsNotJsonIs415Or400() {
    HttpResponse<String> r = f.send(HttpRequest.newBuilder(f.uri("/api/v1/models/churn/tags/x"))
        .PUT(HttpRequest.BodyPublishers.ofString("value=1")), "Content-Type", "text/plain", "Authorization",
        "Bearer " + f.server.token());
    assertProblem(r, 415, "unsupported-media-type");
    assertProblem(f.write("PUT", "/api/v1/models/churn/tags/x", "{\"value\":", true), 400, "invalid-request");
    assertProblem(f.write("PUT", "/api/v1/models/churn/tags/x", "{\"value\":\"1\",\"value\":\"2\"}", true), 400, "invalid-request");
  }

  @Test
  void artifactPathsCannotEscapeTheVersion() throws Exception {
    for (String path : new String[] {"../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd",
        "conf/..%2F..%2Fmodel.onnx", "conf%5C..%5Cmodel.onnx", "/etc/passwd"}) {
      String raw = rawGet("/api/v1/models/churn/versions/1/artifacts/" + path);
      int status = Integer.parseInt(raw.substring(9, 12));
      assertThat(status).as(path + " -> " + raw).isBetween(400, 404);
      assertThat(raw).as(path).doesNotContain("root:").doesNotContain("model one bytes");
    }
  }

  @Test
  void pathParametersAreCheckedWithTheNameRules() {
    assertProblem(f.write("PUT", "/api/v1/models/churn/aliases/" + ReadApiTest.enc("bad alias"), "{\"version\":1}", true),
        400, "invalid-request");
    assertProblem(f.write("PUT", "/api/v1/models/" + ReadApiTest.enc("..") + "x/tags/a", "{\"value\":\"1\"}", true), 400,
        "invalid-request");
    assertProblem(f.write("POST", "/api/v1/models/churn/versions/1e3/stage", "{\"stage\":\"staging\"}", true), 400,
        "invalid-request");
  }

  @Test
  void withoutConfiguredOriginsThereAreNoCorsHeadersAndPreflightIsRefused() {
    HttpResponse<String> r = f.get("/api/v1/models", "Origin", "https://evil.example");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> pre = f.send(HttpRequest.newBuilder(f.uri("/api/v1/models/churn/aliases/x"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()), "Origin", "https://evil.example",
        "Access-Control-Request-Method", "PUT");
    assertThat(pre.statusCode()).isEqualTo(403);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void aConfiguredOriginGetsCorsHeadersAndOthersDoNot() {
    f.restart(ServerOptions.builder().corsOrigins(Set.of("https://dash.example")).build());
    HttpResponse<String> ok = f.get("/api/v1/models", "Origin", "https://dash.example");
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://dash.example");
    HttpResponse<String> pre = f.send(HttpRequest.newBuilder(f.uri("/api/v1/models/churn/aliases/x"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()), "Origin", "https://dash.example",
        "Access-Control-Request-Method", "PUT");
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("PUT", "DELETE");
    assertThat(f.get("/api/v1/models", "Origin", "https://other.example").headers().firstValue("Access-Control-Allow-Origin"))
        .isEmpty();
    assertThatThrownBy(() -> ServerOptions.builder().corsOrigins(Set.of("*"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void settingsAreValidatedAndRefuseToBeSetTwice() {
    assertThatThrownBy(() -> ServerOptions.builder().port(70_000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServerOptions.builder().port(1).port(2)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ServerOptions.builder().maxBodyBytes(10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServerOptions.builder().host("a b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPortInUseFailsNamingHostAndPort() {
    int port = f.server.port();
    assertThatThrownBy(() -> RegistryServer.start(f.registry, ServerOptions.builder().port(port).build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("127.0.0.1:" + port);
  }

  /**
   * A write refused before its body is read (a token-less write, a managed alias) leaves the connection clean:
   * the next request on the same connection is answered. Before, the server closed the connection after such
   * an answer, and a pooling client could send its next request into it ("header parser received no bytes").
   */
  @Test
  void aRefusedWriteLeavesTheConnectionUsableForTheNextRequest() throws Exception {
    try (Socket s = new Socket("127.0.0.1", f.server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      String body = "{\"version\":2}";
      String head = "PUT /api/v1/models/churn/aliases/production HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n";
      String next = "GET /api/v1/models/churn HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      // head and body in two writes, as HttpClient sends them: the refusal is decided before the body arrives
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Thread.sleep(300); // makes the old failure likely; the assertions hold whatever the timing
      out.write((body + next).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String answers = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answers).startsWith("HTTP/1.1 401").doesNotContain("Connection: close\r\n\r\n{\"type\"");
      assertThat(answers.indexOf("HTTP/1.1 200")).as(answers).isPositive();
      assertThat(answers).contains("\"name\":\"churn\"");
    }
  }

  /**
   * A body just over the limit, sent whole without waiting for an answer (as the JDK's client does), is read and
   * dropped: the 413 arrives and the next request on the connection is answered. Before, the body was left unread
   * and the connection closed under the sending client, whose reset could discard the 413 (a flaky
   * {@link #anOversizedBodyIs413BeforeItIsRead}: "header parser received no bytes").
   */
  @Test
  void anOversizedBodyIsDrainedSoThe413ArrivesAndTheConnectionStaysUsable() throws Exception {
    try (Socket s = new Socket("127.0.0.1", f.server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      String body = "{\"value\":\"" + "x".repeat(ServerOptions.DEFAULT_MAX_BODY_BYTES) + "\"}";
      String head = "PUT /api/v1/models/churn/tags/big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Authorization: Bearer " + f.server.token() + "\r\nContent-Length: " + body.length() + "\r\n\r\n";
      String next = "GET /api/v1/models/churn HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      out.write((head + body + next).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String answers = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answers).startsWith("HTTP/1.1 413");
      assertThat(answers.indexOf("HTTP/1.1 200")).as(answers).isPositive();
      assertThat(answers).contains("\"name\":\"churn\"");
    }
    assertThat(f.registry.getModel("churn").tags()).doesNotContainKey("big");
  }

  /** Sends the path exactly as written (no client normalisation) and returns the raw response head and body. */
  private String rawGet(String path) throws Exception {
    try (Socket s = new Socket("127.0.0.1", f.server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}

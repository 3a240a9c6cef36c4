package io.modelreg.server;

import static io.modelreg.server.ReadApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's files over HTTP: served from the jar, self-contained, under a strict Content-Security-Policy. */
class ConsoleTest {
  static Fixture f;

  @BeforeAll
  static void start() {
    f = new Fixture();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void theConsoleIsServedWithAStrictContentSecurityPolicy() {
    HttpResponse<String> r = f.get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'")
        .contains("script-src 'self'").contains("connect-src 'self'").contains("frame-ancestors 'none'");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    HttpResponse<String> escape = f.get("/console/..%2Fopenapi.json");
    assertThat(escape.statusCode()).isBetween(400, 404);
    assertThat(escape.body()).doesNotContain("openapi\":");
    assertProblem(f.get("/console/nothing.js"), 404, "not-found");
  }

  @Test
  void everyFileThePageNamesIsServedFromTheJarAndNothingComesFromElsewhere() {
    String index = f.get("/").body();
    assertThat(index).doesNotContain("http://", "https://", "<script>", " style=", " onclick=");
    for (String file : new String[] {"app.js", "app.css", "icon.svg"}) {
      assertThat(index).contains("/console/" + file);
      HttpResponse<String> r = f.get("/console/" + file);
      assertThat(r.statusCode()).as(file).isEqualTo(200);
      assertThat(r.body()).as(file).doesNotContain("https://", "http://cdn", "@import", "document.cookie");
    }
    assertThat(f.get("/console/app.js").headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
  }
}

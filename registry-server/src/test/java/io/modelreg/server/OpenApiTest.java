package io.modelreg.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAPI 3.1 document served at /api/v1/openapi.json, checked against the routes the server registered. */
class OpenApiTest {
  static Fixture f;
  static JsonNode doc;

  @BeforeAll
  static void start() {
    f = new Fixture();
    HttpResponse<String> r = f.get("/api/v1/openapi.json");
    assertThat(r.statusCode()).isEqualTo(200);
    doc = Fixture.json(r);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String openApiPath(String pattern) {
    return pattern.replaceAll("\\{([a-z]+)\\.\\.\\.}", "{$1}");
  }

  private static boolean documented(Router.Route r) {
    return !r.pattern().equals("/") && !r.pattern().startsWith("/console/");
  }

  @Test
  void itIsOpenApi31() {
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(doc.get("info").get("title").asText()).isNotBlank();
  }

  @Test
  void everyRegisteredRouteIsDocumentedAndEveryDocumentedOperationIsARoute() {
    Set<String> routes = new TreeSet<>();
    for (Router.Route r : f.server.router().routes()) {
      if (documented(r)) {
        routes.add(r.method() + " " + openApiPath(r.pattern()));
      }
    }
    Set<String> operations = new TreeSet<>();
    doc.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
        .forEachRemaining(method -> operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
    assertThat(operations).isEqualTo(routes);
  }

  @Test
  void everyPathParameterIsDeclaredRequiredAndNoOtherIs() {
    Pattern param = Pattern.compile("\\{([^}]+)}");
    doc.get("paths").fields().forEachRemaining(path -> {
      Set<String> inTemplate = new TreeSet<>();
      Matcher m = param.matcher(path.getKey());
      while (m.find()) {
        inTemplate.add(m.group(1));
      }
      path.getValue().fields().forEachRemaining(op -> {
        Set<String> declared = new TreeSet<>();
        JsonNode params = op.getValue().get("parameters");
        if (params != null) {
          for (JsonNode p : params) {
            if (p.get("in").asText().equals("path")) {
              assertThat(p.get("required").asBoolean()).as(op.getKey() + " " + path.getKey() + " " + p).isTrue();
              declared.add(p.get("name").asText());
            }
          }
        }
        assertThat(declared).as(op.getKey() + " " + path.getKey()).isEqualTo(inTemplate);
      });
    });
  }

  @Test
  void writesAndOnlyWritesNeedTheBearerTokenAndDocument401And409() {
    for (Router.Route r : f.server.router().routes()) {
      if (!documented(r)) {
        continue;
      }
      JsonNode op = doc.get("paths").get(openApiPath(r.pattern())).get(r.method().toLowerCase(Locale.ROOT));
      String what = r.method() + " " + r.pattern();
      if (r.isWrite()) {
        assertThat(op.get("security").toString()).as(what).contains("bearer");
        assertThat(op.get("responses").has("401")).as(what).isTrue();
        assertThat(op.get("responses").has("403")).as(what).isTrue();
        assertThat(op.get("responses").has("409")).as(what).isTrue();
        assertThat(op.get("responses").has("413")).as(what).isTrue();
      } else {
        assertThat(op.has("security")).as(what).isFalse();
      }
    }
  }

  @Test
  void everyReferenceResolvesAndOperationIdsAreUnique() {
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/components/schemas/");
      assertThat(doc.get("components").get("schemas").has(ref.substring("#/components/schemas/".length()))).as(ref).isTrue();
    }
    Set<String> ids = new HashSet<>();
    doc.get("paths").forEach(path -> path.forEach(op -> assertThat(ids.add(op.get("operationId").asText()))
        .as("operationId " + op.get("operationId")).isTrue()));
  }

  @Test
  void theDocumentedShapesMatchWhatTheServerReturns() {
    JsonNode versionSchema = doc.get("components").get("schemas").get("Version").get("properties");
    JsonNode version = Fixture.json(f.get("/api/v1/models/churn/versions/1"));
    version.fieldNames().forEachRemaining(field -> assertThat(versionSchema.has(field)).as("Version." + field).isTrue());
    JsonNode modelSchema = doc.get("components").get("schemas").get("Model").get("properties");
    Fixture.json(f.get("/api/v1/models/churn")).fieldNames()
        .forEachRemaining(field -> assertThat(modelSchema.has(field)).as("Model." + field).isTrue());
    JsonNode problemSchema = doc.get("components").get("schemas").get("Problem").get("properties");
    Fixture.json(f.get("/api/v1/models/nope")).fieldNames()
        .forEachRemaining(field -> assertThat(problemSchema.has(field)).as("Problem." + field).isTrue());
    JsonNode cmpSchema = doc.get("components").get("schemas").get("Comparison").get("properties");
    Fixture.json(f.get("/api/v1/compare?a=models:/churn/1&b=models:/churn/2")).fieldNames()
        .forEachRemaining(field -> assertThat(cmpSchema.has(field)).as("Comparison." + field).isTrue());
  }

  private static void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getKey().equals("$ref")) {
          out.add(e.getValue().asText());
        } else {
          collectRefs(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, out));
    }
  }
}

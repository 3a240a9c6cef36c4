package io.modelreg.server;

import static io.modelreg.server.Fixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.TransientRegistryException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every read route over real HTTP on loopback, and the problem documents of its errors. */
class ReadApiTest {
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
  void theCatalogListsEveryModelWithItsProductionAndStagingVersionsAndAliases() {
    HttpResponse<String> r = f.get("/api/v1/models");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode items = json(r).get("items");
    List<String> names = new ArrayList<>();
    items.forEach(m -> names.add(m.get("name").asText()));
    assertThat(names).containsExactly("churn", "fraud", "greet");
    JsonNode churn = items.get(0);
    assertThat(churn.get("productionVersion").asInt()).isEqualTo(1);
    assertThat(churn.get("stagingVersion").asInt()).isEqualTo(2);
    assertThat(churn.get("userAliases").get("champion").asInt()).isEqualTo(1);
    assertThat(churn.get("prompt").asBoolean()).isFalse();
    assertThat(items.get(2).get("prompt").asBoolean()).isTrue();
    assertThat(churn.get("updatedAt").asText()).isNotBlank();
  }

  @Test
  void modelsCanBeSearchedWithTheFilterGrammar() {
    JsonNode r = json(f.get("/api/v1/models?filter=" + enc("name LIKE 'ch%'")));
    assertThat(r.get("items")).hasSize(1);
    assertThat(r.get("items").get(0).get("name").asText()).isEqualTo("churn");
  }

  @Test
  void aModelCarriesItsRevisionAsBodyFieldAndEtag() {
    HttpResponse<String> r = f.get("/api/v1/models/churn");
    long revision = json(r).get("revision").asLong();
    assertThat(revision).isEqualTo(f.registry.history("churn").size());
    assertThat(r.headers().firstValue("ETag")).hasValue("\"r" + revision + "\"");
  }

  @ParameterizedTest(name = "{0} names version {1}")
  @CsvSource({"1,1", "latest,3", "production,1", "PRODUCTION,1", "staging,2", "development,3", "@champion,1", "@production,1",
      "1.1.0,2", "%5E1.0,3", "~1.0.0,1", "%5E1.1,3"})
  void aVersionIsFoundByEveryUriForm(String ref, int number) {
    HttpResponse<String> r = f.get("/api/v1/models/churn/versions/" + ref);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode v = json(r);
    assertThat(v.get("number").asInt()).isEqualTo(number);
    ModelVersion expected = f.registry.getVersion("churn", number);
    assertThat(v.get("digest").asText()).isEqualTo(expected.digest().toString());
    assertThat(r.headers().firstValue("ETag")).hasValue("\"" + expected.digest() + "\"");
  }

  @Test
  void aVersionShowsSemverStageAliasesMetricsLineageSignatureAndFiles() {
    JsonNode v = json(f.get("/api/v1/models/churn/versions/1"));
    assertThat(v.get("semver").asText()).isEqualTo("1.0.0");
    assertThat(v.get("stage").asText()).isEqualTo("PRODUCTION");
    assertThat(v.get("aliases").toString()).contains("champion", "production");
    assertThat(v.get("metrics").get("accuracy").asDouble()).isEqualTo(0.90);
    assertThat(v.get("params").get("lr").asText()).isEqualTo("0.1");
    assertThat(v.get("signature").get("inputs").get(0).get("name").asText()).isEqualTo("f0");
    assertThat(v.get("files")).hasSize(2);
    assertThat(v.get("createdBy").asText()).isEqualTo("ci");
    assertThat(v.get("lineage").has("gitCommit")).isTrue();
  }

  @Test
  void listingVersionsReturnsThemAll() {
    JsonNode r = json(f.get("/api/v1/models/churn/versions"));
    assertThat(r.get("items")).hasSize(3);
  }

  @Test
  void resolveTakesAWholeUri() {
    JsonNode v = json(f.get("/api/v1/resolve?uri=" + enc("models:/churn@champion")));
    assertThat(v.get("number").asInt()).isEqualTo(1);
    HttpResponse<String> bad = f.get("/api/v1/resolve?uri=" + enc("models:/churn/v1"));
    assertThat(bad.statusCode()).isEqualTo(400);
  }

  @Test
  void searchUsesTheFilterGrammarWithPaging() {
    JsonNode r = json(f.get("/api/v1/search/versions?filter=" + enc("name = 'churn' AND metrics.accuracy > 0.8")
        + "&orderBy=" + enc("version_number DESC")));
    List<Integer> numbers = new ArrayList<>();
    r.get("items").forEach(v -> numbers.add(v.get("number").asInt()));
    assertThat(numbers).containsExactly(2, 1);
    JsonNode page = json(f.get("/api/v1/search/versions?filter=" + enc("name = 'churn'") + "&maxResults=2"));
    assertThat(page.get("items")).hasSize(2);
    assertThat(page.get("nextPageToken").asText()).isNotBlank();
    JsonNode rest = json(f.get("/api/v1/search/versions?filter=" + enc("name = 'churn'") + "&maxResults=2&pageToken="
        + enc(page.get("nextPageToken").asText())));
    assertThat(rest.get("items")).hasSize(1);
  }

  @Test
  void aBadFilterIsA400ProblemThatShowsWhere() {
    HttpResponse<String> r = f.get("/api/v1/search/versions?filter=" + enc("name = churn"));
    assertProblem(r, 400, "invalid-request");
    assertThat(json(r).get("detail").asText()).contains("^");
  }

  @Test
  void historyListsEveryChangeOldestFirst() {
    JsonNode items = json(f.get("/api/v1/models/churn/history")).get("items");
    assertThat(items.size()).isEqualTo(f.registry.history("churn").size());
    assertThat(items.get(0).get("sequence").asLong()).isEqualTo(1);
    List<String> types = new ArrayList<>();
    items.forEach(e -> types.add(e.get("type").asText()));
    assertThat(types).contains("VERSION_REGISTERED", "STAGE_CHANGED", "ALIAS_SET");
    assertThat(items.get(0).get("actor").asText()).isEqualTo("ci");
  }

  @Test
  void artifactsAreListedAndStreamedWithTheirDigestInEtagAndDigestHeaders() throws Exception {
    JsonNode list = json(f.get("/api/v1/models/churn/versions/@champion/artifacts"));
    assertThat(list.get("files")).hasSize(2);
    HttpResponse<byte[]> r = f.http.send(HttpRequest.newBuilder(f.uri("/api/v1/models/churn/versions/1/artifacts/model.onnx")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(Fixture.MODEL_V1);
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(Fixture.MODEL_V1);
    String hex = java.util.HexFormat.of().formatHex(sha);
    assertThat(r.headers().firstValue("ETag")).hasValue("\"sha256:" + hex + "\"");
    assertThat(r.headers().firstValue("Digest")).hasValue("sha-256=" + Base64.getEncoder().encodeToString(sha));
    assertThat(r.headers().firstValue("Repr-Digest")).hasValue("sha-256=:" + Base64.getEncoder().encodeToString(sha) + ":");
    assertThat(r.headers().firstValue("Content-Length")).hasValue(Integer.toString(Fixture.MODEL_V1.length));
    HttpResponse<String> nested = f.get("/api/v1/models/churn/versions/1/artifacts/conf/pre.json");
    assertThat(nested.body()).isEqualTo("{}");
    HttpResponse<String> notModified = f.get("/api/v1/models/churn/versions/1/artifacts/model.onnx", "If-None-Match",
        "\"sha256:" + hex + "\"");
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(notModified.body()).isEmpty();
  }

  @Test
  void anUnknownArtifactIsA404ThatSaysWhereTheListIs() {
    HttpResponse<String> r = f.get("/api/v1/models/churn/versions/1/artifacts/nope.bin");
    assertProblem(r, 404, "not-found");
    assertThat(json(r).get("detail").asText()).contains("no file 'nope.bin'").contains("/artifacts lists them");
  }

  @Test
  void compareGivesMetricDeltasParameterAndSignatureDifferencesAndAWinner() {
    JsonNode c = json(f.get("/api/v1/compare?a=" + enc("models:/churn/1") + "&b=" + enc("models:/churn/2")));
    JsonNode acc = c.get("metrics").get(0);
    assertThat(acc.get("metric").asText()).isEqualTo("accuracy");
    assertThat(acc.get("delta").asDouble()).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.get("paramChanges").get("lr").get("a").asText()).isEqualTo("0.1");
    assertThat(c.get("winners").get("accuracy").get("winner").asText()).isEqualTo("models:/churn/2");
    JsonNode lower = json(f.get("/api/v1/compare?a=" + enc("models:/churn/1") + "&b=" + enc("models:/churn/2")
        + "&lowerIsBetter=accuracy"));
    assertThat(lower.get("winners").get("accuracy").get("winner").asText()).isEqualTo("models:/churn/1");
    assertProblem(f.get("/api/v1/compare?a=" + enc("models:/churn/1")), 400, "invalid-request");
  }

  @Test
  void promptsAreListedShownAndRendered() {
    JsonNode list = json(f.get("/api/v1/prompts"));
    assertThat(list.get("items")).hasSize(1);
    assertThat(json(f.get("/api/v1/prompts/greet")).get("items").get(0).get("template").asText()).isEqualTo("Hello {name}!");
    JsonNode shown = json(f.get("/api/v1/prompts/greet/versions/latest"));
    assertThat(shown.get("variables").get(0).asText()).isEqualTo("name");
    assertThat(shown.get("semver").asText()).isEqualTo("1.0.0");
    HttpResponse<String> r = f.write("POST", "/api/v1/prompts/greet/versions/1/render", "{\"values\":{\"name\":\"Ada\"}}", false);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("text").asText()).isEqualTo("Hello Ada!");
    HttpResponse<String> missing = f.write("POST", "/api/v1/prompts/greet/versions/1/render", "{\"values\":{}}", false);
    assertProblem(missing, 400, "missing-variables");
    assertThat(json(missing).get("errors").get(0).asText()).isEqualTo("name");
    HttpResponse<String> partial = f.write("POST", "/api/v1/prompts/greet/versions/1/render", "{\"values\":{},\"partial\":true}", false);
    assertThat(json(partial).get("text").asText()).isEqualTo("Hello {name}!");
    assertProblem(f.get("/api/v1/prompts/churn"), 404, "not-found");
  }

  @Test
  void unknownModelsAndVersionsAre404Problems() {
    assertProblem(f.get("/api/v1/models/nope"), 404, "not-found");
    assertProblem(f.get("/api/v1/models/churn/versions/99"), 404, "not-found");
    assertProblem(f.get("/api/v1/models/churn/versions/@nobody"), 404, "not-found");
    assertProblem(f.get("/api/v1/models/nope/history"), 404, "not-found");
  }

  @Test
  void invalidNamesAndReferencesAre400ProblemsSayingWhatIsAllowed() {
    HttpResponse<String> r = f.get("/api/v1/models/" + enc("-bad name") + "/versions");
    assertProblem(r, 400, "invalid-request");
    assertThat(json(r).get("detail").asText()).contains("-bad name");
    assertProblem(f.get("/api/v1/models/churn/versions/0"), 400, "invalid-request");
    assertProblem(f.get("/api/v1/models/churn/versions/not%20a%20ref"), 400, "invalid-request");
    assertProblem(f.get("/api/v1/search/versions?maxResults=0"), 400, "invalid-request");
  }

  @Test
  void unknownRoutesAre404AndWrongMethods405WithAllow() {
    assertProblem(f.get("/api/v1/nothing"), 404, "not-found");
    HttpResponse<String> r = f.write("DELETE", "/api/v1/models/churn", "", true);
    assertProblem(r, 405, "method-not-allowed");
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void aPromotionGateRefusalIsA422ListingEveryUnmetRule() {
    try (Fixture f = new Fixture()) {
    HttpResponse<String> r = f.write("POST", "/api/v1/models/churn/versions/3/stage", "{\"stage\":\"staging\"}", true);
    assertThat(r.statusCode()).isEqualTo(200);
    HttpResponse<String> refused = f.write("POST", "/api/v1/models/churn/versions/3/stage", "{\"stage\":\"production\"}", true);
    assertProblem(refused, 422, "promotion-rejected");
    assertThat(json(refused).get("errors").get(0).asText()).contains("accuracy");
    assertThat(f.registry.getVersion("churn", 3).stage().name()).isEqualTo("STAGING");
    }
  }

  @Test
  void aDamagedArtifactIsNeverDeliveredWhole() throws Exception {
    try (Fixture own = new Fixture()) {
      ModelVersion v = own.registry.getVersion("fraud", 1);
      own.store.tamper(v.manifest().files().get(0).digest(), b -> new byte[] {9, 9, 9});
      HttpResponse<byte[]> r;
      try {
        r = own.http.send(HttpRequest.newBuilder(own.uri("/api/v1/models/fraud/versions/1/artifacts/m.bin")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
      } catch (java.io.IOException e) {
        return; // the connection was aborted: the client knows the download failed
      }
      assertThat(r.statusCode()).as("a damaged file must not be delivered as a success").isEqualTo(500);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(r.headers().firstValue("ETag")).isEmpty();
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("problems/integrity").contains("does not match");
    }
  }

  @Test
  void aTransientFailureIsA503WithRetryAfter() {
    ModelRegistry flaky = (ModelRegistry) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ModelRegistry.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getModel")) {
            throw new TransientRegistryException("backend busy", null);
          }
          try {
            return method.invoke(f.registry, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    try (RegistryServer s = RegistryServer.start(flaky, ServerOptions.defaults())) {
      HttpResponse<String> r = f.send(HttpRequest.newBuilder(s.uri().resolve("api/v1/models/churn")).GET());
      assertProblem(r, 503, "transient");
      assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    }
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource({"conflict,409,conflict", "exists,409,already-exists", "state,409,invalid-state", "bug,500,internal"})
  void everyExceptionTypeOfAWriteMapsToItsProblem(String thrown, int status, String type) {
    ModelRegistry failing = (ModelRegistry) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ModelRegistry.class},
        (proxy, method, args) -> {
          if (method.getName().equals("setAlias")) {
            switch (thrown) {
              case "conflict": throw new io.modelreg.ConflictException("churn changed 32 times while we tried");
              case "exists": throw new io.modelreg.AlreadyExistsException("churn already exists");
              case "state": throw new IllegalStateException("churn is being deleted");
              default: throw new NullPointerException("a bug with internals in its message");
            }
          }
          try {
            return method.invoke(f.registry, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    try (RegistryServer s = RegistryServer.start(failing, ServerOptions.defaults())) {
      HttpResponse<String> r = f.send(HttpRequest.newBuilder(s.uri().resolve("api/v1/models/churn/aliases/x"))
          .PUT(HttpRequest.BodyPublishers.ofString("{\"version\":1}")), "Content-Type", "application/json",
          "Authorization", "Bearer " + s.token());
      assertProblem(r, status, type);
      if (status == 500) {
        assertThat(r.body()).as("no internals leak").doesNotContain("internals").contains("NullPointerException");
      }
    }
  }

  @Test
  void serverInfoSaysWhetherItIsReadOnlyAndHasAPool() {
    JsonNode info = json(f.get("/api/v1/server"));
    assertThat(info.get("readOnly").asBoolean()).isFalse();
    assertThat(info.get("pool").asBoolean()).isFalse();
    assertProblem(f.get("/api/v1/pool"), 404, "no-pool");
  }

  @Test
  @DisplayName("no response sets a cookie")
  void noResponseSetsACookie() {
    for (String p : List.of("/", "/api/v1/models", "/api/v1/models/nope", "/metrics")) {
      assertThat(f.get(p).headers().firstValue("Set-Cookie")).as(p).isEmpty();
    }
  }

  static void assertProblem(HttpResponse<String> r, int status, String type) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode p = json(r);
    assertThat(p.get("type").asText()).isEqualTo(Problems.TYPE_BASE + type);
    assertThat(p.get("status").asInt()).isEqualTo(status);
    assertThat(p.get("title").asText()).isNotBlank();
    assertThat(p.get("detail").asText()).isNotBlank();
    assertThat(p.get("instance").asText()).startsWith("/");
  }

  static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

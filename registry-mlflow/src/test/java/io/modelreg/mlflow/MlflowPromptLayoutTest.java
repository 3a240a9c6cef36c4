package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.prompts.MlflowIncompatibleTemplateException;
import io.modelreg.prompts.PromptRegistry;
import io.modelreg.prompts.PromptTemplate;
import io.modelreg.prompts.PromptVersion;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A prompt registered through {@code registry-prompts} on the MLflow store lands the way MLflow's prompt
 * registry keeps prompts ({@code shared/MLFLOW.md}): what Python's {@code mlflow.genai.load_prompt} reads is
 * checked here on the raw REST answers, not through our own reader.
 */
class MlflowPromptLayoutTest extends StandInServerTest {
  private final HttpClient raw = HttpClient.newHttpClient();

  private JsonNode get(String endpoint, String query) throws Exception {
    HttpResponse<String> r = raw.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/2.0/mlflow/" + endpoint
        + "?" + query)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  private JsonNode post(String endpoint, String body) throws Exception {
    HttpResponse<String> r = raw.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/2.0/mlflow/" + endpoint))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  /** What Python's {@code mlflow.genai.register_prompt(name, template, commit_message)} sends (MLflow 3.1.3). */
  private void registerLikePython(String name, String template, String message) throws Exception {
    ObjectMapper json = new ObjectMapper();
    post("registered-models/create", "{\"name\": " + json.writeValueAsString(name)
        + ", \"tags\": [{\"key\": \"mlflow.prompt.is_prompt\", \"value\": \"true\"}]}");
    post("model-versions/create", "{\"name\": " + json.writeValueAsString(name) + ", \"source\": \"dummy-source\","
        + " \"run_id\": \"\", \"description\": " + json.writeValueAsString(message) + ", \"tags\": ["
        + "{\"key\": \"mlflow.prompt.is_prompt\", \"value\": \"true\"},"
        + "{\"key\": \"mlflow.prompt.text\", \"value\": " + json.writeValueAsString(template) + "}]}");
  }

  private static Map<String, String> tags(JsonNode node) {
    Map<String, String> out = new HashMap<>();
    node.path("tags").forEach(t -> out.put(t.path("key").asText(), t.path("value").asText()));
    return out;
  }

  private static List<String> names(JsonNode search) {
    List<String> out = new java.util.ArrayList<>();
    search.path("registered_models").forEach(m -> out.add(m.path("name").asText()));
    return out;
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void aPromptIsAnMlflowPromptHiddenFromPlainSearchAndLoadableByAnotherClient() throws Exception {
    try (ModelRegistry registry = ModelRegistries.open(server.uri())) {
      PromptRegistry prompts = PromptRegistry.on(registry);
      prompts.register("greet", "Hello {name}, welcome to {place}!", "1.0.0", "first cut");
      registry.register("plain-model", io.modelreg.Registration.builder().bytes("m", new byte[] {1}).build());

      JsonNode model = get("registered-models/get", "name=greet").path("registered_model");
      assertThat(tags(model)).containsEntry("mlflow.prompt.is_prompt", "true");
      JsonNode version = get("model-versions/get", "name=greet&version=1").path("model_version");
      assertThat(tags(version)).containsEntry("mlflow.prompt.is_prompt", "true")
          .containsEntry("mlflow.prompt.text", "Hello {{ name }}, welcome to {{ place }}!");
      assertThat(version.path("description").asText()).isEqualTo("first cut");

      JsonNode plain = get("registered-models/search", "max_results=100");
      assertThat(names(plain)).containsExactly("plain-model");
      JsonNode promptSearch = get("registered-models/search", "filter=" + q("tags.`mlflow.prompt.is_prompt` = 'true'"));
      assertThat(names(promptSearch)).containsExactly("greet");
      assertThat(registry.listModels()).extracting(m -> m.name()).contains("greet", "plain-model");
      // a plain model-versions/search leaves the prompt's versions out; a search over every model still finds them
      JsonNode plainVersions = get("model-versions/search", "filter=" + q("version_number = 1"));
      assertThat(plainVersions.path("model_versions")).extracting(v -> v.path("name").asText()).containsExactly("plain-model");
      assertThat(registry.searchVersions("version_number = 1")).extracting(v -> v.name())
          .containsExactlyInAnyOrder("greet", "plain-model");
      assertThat(registry.searchVersions("name = 'greet'")).extracting(v -> v.number()).containsExactly(1);
    }
    try (ModelRegistry other = ModelRegistries.open(server.uri())) {
      assertThat(PromptRegistry.on(other).load("prompts:/greet/1").render(Map.of("name", "Ada", "place", "Lovelace Hall")))
          .isEqualTo("Hello Ada, welcome to Lovelace Hall!");
      assertThat(List.of(PromptRegistry.on(other).isPrompt("greet"), PromptRegistry.on(other).isPrompt("plain-model")))
          .containsExactly(true, false);
    }
  }

  @Test
  void aPromptPythonRegisteredIsReadyAndRendersAsPythonRendersIt() throws Exception {
    registerLikePython("pyprompt", "Hi {{user}}, about {{ topic.title }} {{ not-a-var }}", "from python");
    try (ModelRegistry registry = ModelRegistries.open(server.uri())) {
      PromptRegistry prompts = PromptRegistry.on(registry);
      PromptVersion v = prompts.load("prompts:/pyprompt/1");
      assertThat(v.version().status()).isEqualTo(io.modelreg.VersionStatus.READY);
      assertThat(v.message()).isEqualTo("from python");
      // MLflow's format(user="Ada", **{"topic.title": "T"}) gives exactly this (mlflow-render-cases.json)
      assertThat(v.render(Map.of("user", "Ada", "topic.title", "T"))).isEqualTo("Hi Ada, about T {{ not-a-var }}");
      assertThat(prompts.load("prompts:/pyprompt/latest").number()).isEqualTo(1);
      // Java adds a version after Python's, checked as a change from it
      PromptVersion next = prompts.register("pyprompt", PromptTemplate.parse("Hello {user}!"), "2.0.0", "from java", null);
      assertThat(next.number()).isEqualTo(2);
      assertThat(tags(get("model-versions/get", "name=pyprompt&version=2").path("model_version")))
          .containsEntry("mlflow.prompt.text", "Hello {{ user }}!");
    }
  }

  @Test
  void aTemplatePythonCannotRenderIsRefusedAndNothingIsWritten() {
    try (ModelRegistry registry = ModelRegistries.open(server.uri())) {
      assertThatThrownBy(() -> PromptRegistry.on(registry).register("mail", "Hello {name}, you have {n:d} new {kind}!",
          "1.0.0", "first"))
          .isInstanceOf(MlflowIncompatibleTemplateException.class)
          .hasMessageContaining("format spec ':d' in {n:d} at line 1, column 24")
          .hasMessageContaining(server.uri().getAuthority());
      assertThat(registry.findModel("mail")).isEmpty();
    }
  }

  @Test
  void aJavaOnlyPromptIsMarkedWherePythonLooks() throws Exception {
    try (ModelRegistry registry = ModelRegistries.open(server.uri())) {
      PromptRegistry.on(registry).registerJavaOnly("mail", PromptTemplate.parse("Hello {name}, you have {n:d} new {kind}!"),
          "1.0.0", "first", "counts are formatted by the JVM service");
    }
    JsonNode version = get("model-versions/get", "name=mail&version=1").path("model_version");
    assertThat(tags(version))
        .containsEntry("mlflow.prompt.text", PromptRegistry.JAVA_ONLY_MARKER + "\nHello {name}, you have {n:d} new {kind}!")
        .hasEntrySatisfying(PromptRegistry.JAVA_ONLY, why -> assertThat(why)
            .startsWith("counts are formatted by the JVM service").contains("format spec ':d' in {n:d}"));
    try (ModelRegistry other = ModelRegistries.open(server.uri())) {
      assertThat(PromptRegistry.on(other).load("prompts:/mail/1").render(Map.of("name", "Ada", "n", 3, "kind", "mails")))
          .isEqualTo("Hello Ada, you have 3 new mails!");
    }
  }
}

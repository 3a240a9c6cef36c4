package io.modelreg.prompts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelreg.ArtifactEntry;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * How a prompt version is persisted — its {@code prompt.json} file and its {@code mlflow.prompt.*} and
 * {@code prompt.*} tags — against versions written by the code of 2026-12-02 and committed as {@code
 * src/test/resources/golden/prompt-versions.json}: an MLflow-syntax prompt in two versions, and a Python-format
 * one with a format spec, which is marked Java-only. A later version must load them; registering the same
 * prompts today must give the same files and tags, so a format change shows in review. Run with {@code
 * -Dmodelreg.golden.rewrite=true} to write the file again after a deliberate change.
 */
class PromptGoldenTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden/prompt-versions.json");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** What today's code persists for the golden prompts: per version URI, its tags and its files' text. */
  static String writeToday() throws IOException {
    try (ModelRegistry registry = ModelRegistries.open("mem:")) {
      PromptRegistry prompts = PromptRegistry.on(registry);
      prompts.register("greet", PromptTemplate.parse("Hello {{ name }}!", PromptTemplate.Syntax.MLFLOW), "1.0.0",
          "first", null);
      prompts.register("greet", PromptTemplate.parse("Hello {{ name }} from {{ city }}!", PromptTemplate.Syntax.MLFLOW),
          "1.1.0", "adds the city", null);
      prompts.registerJavaOnly("invoice", PromptTemplate.parse("Total: {amount:.2f} {currency!r}"), "1.0.0", "first",
          "amounts need a format spec");
      ObjectNode root = JSON.createObjectNode();
      for (String name : registry.listModels().stream().map(m -> m.name()).toList()) {
        root.putObject(name).putPOJO("model_tags", new TreeMap<>(registry.getModel(name).tags()));
        for (ModelVersion v : registry.listVersions(name)) {
          ObjectNode version = ((ObjectNode) root.get(name)).putObject(Integer.toString(v.number()));
          version.put("semver", v.semver().orElseThrow().toString());
          version.put("description", v.description().orElse(null));
          version.putPOJO("tags", new TreeMap<>(v.tags()));
          ObjectNode files = version.putObject("files");
          for (ArtifactEntry e : v.manifest().files()) {
            try (InputStream in = registry.openArtifact(v, e.path())) {
              files.put(e.path(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
          }
        }
      }
      return JSON.writeValueAsString(root) + "\n";
    }
  }

  @Test
  void registeringTheSamePromptsTodayGivesTheGoldenFilesAndTags() throws IOException {
    String today = writeToday();
    if (Boolean.getBoolean("modelreg.golden.rewrite")) {
      Files.writeString(GOLDEN, today, StandardCharsets.UTF_8);
    }
    assertThat(today).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> out = new TreeMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** A registry holding exactly the golden versions, made through the plain registry API (no prompt code). */
  private static ModelRegistry golden(boolean withFiles) throws IOException {
    JsonNode root = JSON.readTree(GOLDEN.toFile());
    ModelRegistry registry = ModelRegistries.open("mem:");
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      JsonNode model = root.get(name);
      registry.createModel(name, null, strings(model.get("model_tags")));
      for (int n = 1; model.has(Integer.toString(n)); n++) {
        JsonNode v = model.get(Integer.toString(n));
        Registration.Builder r = Registration.builder().semver(v.get("semver").asText())
            .description(v.get("description").asText());
        strings(v.get("tags")).forEach(r::tag);
        if (withFiles) {
          strings(v.get("files")).forEach((path, text) -> r.bytes(path, text.getBytes(StandardCharsets.UTF_8)));
        } else {
          r.bytes("MLmodel", new byte[0]); // as Python's MLflow leaves a prompt: tags only, no prompt.json
        }
        registry.register(name, r.build());
      }
    }
    return registry;
  }

  @Test
  void theGoldenVersionsLoadWithTheirTemplatesSyntaxAndMarks() throws IOException {
    try (ModelRegistry registry = golden(true)) {
      PromptRegistry prompts = PromptRegistry.on(registry);
      PromptVersion greet = prompts.load("prompts:/greet/1.1.0");
      assertThat(greet.template().syntax()).isEqualTo(PromptTemplate.Syntax.MLFLOW);
      assertThat(greet.render(Map.of("name", "Ada", "city", "Paris"))).isEqualTo("Hello Ada from Paris!");
      assertThat(prompts.load("prompts:/greet/1").render(Map.of("name", "Ada"))).isEqualTo("Hello Ada!");
      PromptVersion invoice = prompts.load("prompts:/invoice/1");
      assertThat(invoice.template().syntax()).isEqualTo(PromptTemplate.Syntax.PYTHON_FORMAT);
      assertThat(invoice.javaOnly()).hasValueSatisfying(note -> assertThat(note).contains("amounts need a format spec"));
      assertThat(invoice.render(Map.of("amount", 3.14159, "currency", "EUR"))).isEqualTo("Total: 3.14 'EUR'");
    }
  }

  @Test
  void theGoldenTagsAloneLoadTheSameTemplatesAsPythonWritesThem() throws IOException {
    try (ModelRegistry registry = golden(false)) {
      PromptRegistry prompts = PromptRegistry.on(registry);
      assertThat(prompts.load("prompts:/greet/2").render(Map.of("name", "Ada", "city", "Paris")))
          .isEqualTo("Hello Ada from Paris!");
      assertThat(prompts.load("prompts:/invoice/1").render(Map.of("amount", 2.5, "currency", "EUR")))
          .isEqualTo("Total: 2.50 'EUR'");
    }
  }
}

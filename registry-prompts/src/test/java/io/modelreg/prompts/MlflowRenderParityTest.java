package io.modelreg.prompts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Java renders prompts exactly as MLflow's own Python client does: every case of {@code
 * mlflow-render-cases.json}, which {@code src/test/python/generate_mlflow_render_cases.py} made by running
 * MLflow 3.1.3's {@code PromptVersion.format} (what {@code mlflow.genai.load_prompt(...).format(...)} runs).
 */
class MlflowRenderParityTest {
  private static final JsonNode CASES = read();

  private static JsonNode read() {
    try (InputStream in = Objects.requireNonNull(MlflowRenderParityTest.class.getResourceAsStream("/mlflow-render-cases.json"))) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> kwargs(JsonNode c) {
    Map<String, Object> out = new LinkedHashMap<>();
    c.path("kwargs").fields().forEachRemaining(e -> out.put(e.getKey(), CPythonFormatTableTest.decode(e.getValue())));
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void theTableCameFromMlflowItself() {
    assertThat(CASES.path("generated_by").asText()).startsWith("MLflow 3.");
    assertThat(CASES.path("mlflow")).hasSizeGreaterThan(15);
  }

  /** A template Python registered renders in Java as in Python, or names the same missing variables. */
  @TestFactory
  Stream<DynamicTest> mlflowTemplatesRenderAsMlflowRendersThem() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : CASES.path("mlflow")) {
      String template = c.path("template").asText();
      Map<String, Object> values = kwargs(c);
      tests.add(DynamicTest.dynamicTest("[" + template + "] " + c.path("kwargs"), () -> {
        PromptTemplate t = PromptTemplate.parse(template, PromptTemplate.Syntax.MLFLOW);
        if (c.path("divergence").asBoolean()) {
          // MLflow 3.1.3 runs each value through re.sub's template syntax ("\n" becomes a newline, "\d"
          // fails); Java inserts the value as given (module README, "Rendering MLflow templates")
          assertThat(t.render(values)).isEqualTo(c.path("literal").asText())
              .isNotEqualTo(c.path("output").asText(null));
        } else if (c.has("missing")) {
          assertThatThrownBy(() -> t.render(values)).isInstanceOf(MissingVariablesException.class)
              .satisfies(e -> assertThat(((MissingVariablesException) e).missing())
                  .containsExactlyInAnyOrderElementsOf(strings(c.path("missing"))));
        } else {
          assertThat(t.render(values)).isEqualTo(c.path("output").asText());
        }
      }));
    }
    return tests.stream();
  }

  /**
   * A str.format template Java converts for MLflow renders to the same text in Java (either syntax),
   * in CPython's str.format and in MLflow's format.
   */
  @TestFactory
  Stream<DynamicTest> convertibleTemplatesRenderTheSameOnBothSides() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : CASES.path("twins")) {
      String pythonFormat = c.path("python_format").asText();
      tests.add(DynamicTest.dynamicTest("[" + pythonFormat + "]", () -> {
        PromptTemplate t = PromptTemplate.parse(pythonFormat);
        assertThat(t.mlflowIncompatibilities()).isEmpty();
        assertThat(t.toMlflow()).contains(c.path("mlflow").asText());
        assertThat(t.render(kwargs(c))).isEqualTo(c.path("output").asText());
        assertThat(PromptTemplate.parse(c.path("mlflow").asText(), PromptTemplate.Syntax.MLFLOW).render(kwargs(c)))
            .isEqualTo(c.path("output").asText());
      }));
    }
    return tests.stream();
  }

  /** What MLflow's format leaves unrendered (or fails on), Java reports as incompatible, naming why. */
  @TestFactory
  Stream<DynamicTest> whatMlflowCannotRenderIsNamed() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : CASES.path("unrenderable")) {
      String template = c.path("template").asText();
      tests.add(DynamicTest.dynamicTest("[" + template + "]", () -> {
        PromptTemplate t = PromptTemplate.parse(template);
        String javaRenders = t.render(List.of("Ada"), kwargs(c));
        if (c.has("mlflow_output")) {
          assertThat(c.path("mlflow_output").asText()).isNotEqualTo(javaRenders);
        }
        assertThat(t.mlflowIncompatibilities()).isNotEmpty();
        assertThat(t.toMlflow()).isEmpty();
      }));
    }
    return tests.stream();
  }

  @Test
  void incompatibilitiesNameTheConstructAndWhereItIs() {
    PromptTemplate t = PromptTemplate.parse("Hello {name}, you have {n:d} new {kind}!\n{items[0]!r} {} {prénom}");
    assertThat(t.mlflowIncompatibilities()).extracting(Object::toString).containsExactly(
        "format spec ':d' in {n:d} at line 1, column 24",
        "indexing '[0]' in {items[0]!r} at line 2, column 1",
        "conversion '!r' in {items[0]!r} at line 2, column 1",
        "positional field in {} at line 2, column 14",
        "name 'prénom' (MLflow variables are ASCII identifiers) in {prénom} at line 2, column 17");
    assertThat(PromptTemplate.parse("Show {{{{ raw }}}} and {x}").mlflowIncompatibilities()).singleElement()
        .satisfies(i -> assertThat(i.construct()).contains("literal braces"));
    assertThat(PromptTemplate.parse("{{{x}}} {x:{w}}").mlflowIncompatibilities()).extracting(Object::toString)
        .containsExactly("format spec ':{w}' in {x:{w}} at line 1, column 9");
    assertThat(PromptTemplate.parse("any {{ x }}", PromptTemplate.Syntax.MLFLOW).mlflowIncompatibilities()).isEmpty();
  }

  @Test
  void aDottedMlflowVariableTakesAFlatKeyOrAPath() {
    PromptTemplate t = PromptTemplate.parse("Dear {{ user.name }}", PromptTemplate.Syntax.MLFLOW);
    assertThat(t.render(Map.of("user.name", "Ada"))).isEqualTo("Dear Ada");
    assertThat(t.render(Map.of("user", Map.of("name", "Grace")))).isEqualTo("Dear Grace");
    assertThat(t.render(Map.of("user.name", "Ada", "user", Map.of("name", "Grace")))).isEqualTo("Dear Ada");
  }
}

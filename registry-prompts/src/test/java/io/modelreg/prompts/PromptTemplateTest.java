package io.modelreg.prompts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

  @Test
  void syntaxErrorsGiveLineColumnCaretAndHint() {
    assertThatThrownBy(() -> PromptTemplate.parse("Hello {name\nBye"))
        .isInstanceOfSatisfying(TemplateSyntaxException.class, e -> {
          assertThat(e.line()).isEqualTo(1);
          assertThat(e.column()).isEqualTo(7);
          assertThat(e.getMessage()).contains("expected '}'").contains("  Hello {name\n        ^")
              .contains("hint: close the field");
        });
    assertThatThrownBy(() -> PromptTemplate.parse("line one\nprice } here"))
        .isInstanceOfSatisfying(TemplateSyntaxException.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.column()).isEqualTo(7);
          assertThat(e.hint()).contains("'}}'");
        });
    assertThatThrownBy(() -> PromptTemplate.parse("{} {0}")).isInstanceOf(TemplateSyntaxException.class)
        .hasMessageContaining("cannot switch from automatic field numbering to manual field specification")
        .hasMessageContaining("number every field");
    assertThatThrownBy(() -> PromptTemplate.parse("{x!z}")).isInstanceOf(TemplateSyntaxException.class)
        .hasMessageContaining("Unknown conversion specifier z").hasMessageContaining("!s, !r or !a");
    assertThatThrownBy(() -> PromptTemplate.parse("{x[0}")).isInstanceOf(TemplateSyntaxException.class);
    assertThatThrownBy(() -> PromptTemplate.parse("{x:{y:{z}}}")).isInstanceOf(TemplateSyntaxException.class)
        .hasMessageContaining("recursion");
  }

  @Test
  void aSpecInvalidForTheValueNamesTheFieldAndType() {
    PromptTemplate t = PromptTemplate.parse("Total: {price:d}");
    assertThatThrownBy(() -> t.render(Map.of("price", 9.5))).isInstanceOfSatisfying(RenderException.class, e -> {
      assertThat(e.pythonError()).isEqualTo("ValueError");
      assertThat(e.getMessage()).contains("{price:d}").contains("float").contains("Unknown format code 'd'");
    });
  }

  @Test
  void strictRenderingNamesEveryMissingVariableAtOnce() {
    PromptTemplate t = PromptTemplate.parse("{greeting}, {user.name}! {user.age} {items[2]} {:{width}}");
    Map<String, Object> values = new HashMap<>();
    values.put("user", Map.of("age", 3));
    values.put("items", List.of("a"));
    assertThatThrownBy(() -> t.render(values)).isInstanceOfSatisfying(MissingVariablesException.class, e ->
        assertThat(e.missing()).containsExactly("greeting", "user.name", "items[2]", "0", "width"));
  }

  @Test
  void partialRenderingLeavesMissingFieldsAsWritten() {
    PromptTemplate t = PromptTemplate.parse("Dear {name}, your total is {total:.2f} {currency!r:>5}.");
    assertThat(t.renderPartial(Map.of("total", 12.5))).isEqualTo("Dear {name}, your total is 12.50 {currency!r:>5}.");
  }

  @Test
  void variablesListNamesAndPaths() {
    PromptTemplate t = PromptTemplate.parse("{user.name} {user[roles][0]} {0} {price:{width}.{prec}f} {user.name}");
    assertThat(t.variables()).extracting(PromptTemplate.Variable::expression)
        .containsExactly("user.name", "user[roles][0]", "0", "price", "width", "prec");
    assertThat(t.variables().get(1).path()).containsExactly("roles", "0");
    assertThat(t.variableNames()).containsExactly("user", "0", "price", "width", "prec");
  }

  /** A public record: its components are readable. */
  public record User(String name, int age) {}

  /** A public bean: its getters are readable, nothing else is called. */
  public static final class Account {
    public String getOwner() {
      return "ada";
    }

    public boolean isActive() {
      return true;
    }

    public String delete() {
      throw new AssertionError("a template must never call arbitrary methods");
    }
  }

  @Test
  void attributesReachMapEntriesRecordComponentsAndGettersOnly() {
    PromptTemplate t = PromptTemplate.parse("{u.name} is {u.age}; {a.owner} {a.active}; {m.k}");
    assertThat(t.render(Map.of("u", new User("Ada", 36), "a", new Account(), "m", Map.of("k", "v"))))
        .isEqualTo("Ada is 36; ada True; v");
    assertThatThrownBy(() -> PromptTemplate.parse("{a.delete}").render(Map.of("a", new Account())))
        .isInstanceOf(MissingVariablesException.class).hasMessageContaining("a.delete");
    assertThat(PromptTemplate.parse("{u!r}").render(Map.of("u", new User("Ada", 36)))).isEqualTo("User(name='Ada', age=36)");
  }

  @Test
  void javaValuesMapToPythonValues() {
    Map<String, Object> v = new HashMap<>();
    v.put("none", null);
    v.put("dec", new BigDecimal("1.50"));
    v.put("float", 0.1f);
    v.put("day", LocalDate.of(2024, 2, 29));
    v.put("aware", OffsetDateTime.of(2024, 2, 29, 8, 30, 0, 0, ZoneOffset.ofHours(2)));
    v.put("chars", 'x');
    v.put("list", new Object[] {1, "a"});
    assertThat(PromptTemplate.parse("{none} {dec} {dec!r} {float} {day} {aware} {aware:%H:%M %z} {chars!r} {list}").render(v))
        .isEqualTo("None 1.50 Decimal('1.50') 0.10000000149011612 2024-02-29 2024-02-29 08:30:00+02:00 08:30 +0200 'x' [1, 'a']");
  }

  @Test
  void mlflowSyntaxRendersDottedNamesAndKeepsOtherBracesLiteral() {
    PromptTemplate t = PromptTemplate.parse("Answer {{ question }} for {{user.name}} as JSON: {\"a\": 1}",
        PromptTemplate.Syntax.MLFLOW);
    assertThat(t.render(Map.of("question", "why?", "user", Map.of("name", "Ada"))))
        .isEqualTo("Answer why? for Ada as JSON: {\"a\": 1}");
    assertThat(t.variableNames()).containsExactly("question", "user");
    assertThat(t.toPythonFormat()).isEqualTo("Answer {question} for {user.name} as JSON: {{\"a\": 1}}");
    assertThat(PromptTemplate.parse(t.toPythonFormat()).render(Map.of("question", "why?", "user", Map.of("name", "Ada"))))
        .isEqualTo("Answer why? for Ada as JSON: {\"a\": 1}");
    // what MLflow's Python client does not read as a variable is text, there and here
    assertThat(PromptTemplate.parse("{{ 1bad }} x {{ open", PromptTemplate.Syntax.MLFLOW).render(Map.of()))
        .isEqualTo("{{ 1bad }} x {{ open");
  }

  @Test
  void conversionToMlflowHappensOnlyWhenExact() {
    assertThat(PromptTemplate.parse("Hi {name}, about {topic.title}.").toMlflow())
        .contains("Hi {{ name }}, about {{ topic.title }}.");
    assertThat(PromptTemplate.parse("{price:.2f}").toMlflow()).isEmpty();
    assertThat(PromptTemplate.parse("{0}").toMlflow()).isEmpty();
    assertThat(PromptTemplate.parse("{x!r}").toMlflow()).isEmpty();
    assertThat(PromptTemplate.parse("{items[0]}").toMlflow()).isEmpty();
    assertThat(PromptTemplate.parse("literal {{{{ braces }}}} {x}").toMlflow()).isEmpty();
  }

  @Test
  void positionalAndAutomaticFields() {
    assertThat(PromptTemplate.parse("{} + {} = {}").render(List.of(1, 2, 3), Map.of())).isEqualTo("1 + 2 = 3");
    assertThat(PromptTemplate.parse("{1}{0}").render(List.of("a", "b"), Map.of())).isEqualTo("ba");
  }
}

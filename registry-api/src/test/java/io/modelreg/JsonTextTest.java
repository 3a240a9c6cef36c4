package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void readsEveryKindOfValueWithIntegersAsLongAndDecimalsAsDouble() {
    Object tree = JsonText.read(" {\"a\": 1, \"b\": -2.5e1, \"c\": [true, false, null], \"d\": {}, \"e\": \"x\\\"\\\\\\/\\n\\u00e9\"} ", "t");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("a", 1L);
    expected.put("b", -25.0);
    expected.put("c", Arrays.asList(true, false, null));
    expected.put("d", Map.of());
    expected.put("e", "x\"\\/\né");
    assertThat(tree).isEqualTo(expected);
    assertThat(new ArrayList<Object>(((Map<?, ?>) tree).keySet())).containsExactly((Object) "a", "b", "c", "d", "e");
    assertThat(JsonText.read("0", "t")).isEqualTo(0L);
    assertThat(JsonText.read("-0.0", "t")).isEqualTo(-0.0);
    assertThat(JsonText.read("9223372036854775807", "t")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void whatItWritesReadsBackAsTheSameTree() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("format", 1);
    tree.put("text", "tab\t quote\" backslash\\ newline\n control\u0001 unicode ü");
    tree.put("none", null);
    tree.put("numbers", List.of(0.81, 1e-7, -3L, Long.MIN_VALUE));
    tree.put("nested", Map.of("empty", List.of(), "obj", Map.of()));
    Object back = JsonText.read(JsonText.write(tree), "t");
    Map<String, Object> expected = new LinkedHashMap<>(tree);
    expected.put("format", 1L);
    assertThat(back).isEqualTo(expected);
  }

  @Test
  void writesIndentedTextThatDiffsLineByLine() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("a", List.of(1, 2));
    tree.put("b", Map.of());
    assertThat(JsonText.write(tree)).isEqualTo("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}\n");
  }

  @Test
  void refusesValuesJsonCannotHold() {
    assertThatThrownBy(() -> JsonText.write(Double.NaN)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> JsonText.write(new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
  }

  @Test
  void syntaxErrorsNameTheSourceLineColumnAndWhatWasWrong() {
    assertError("{\n  \"a\": 1,\n}", "expected a quoted key, found '}' (line 3, column 1)");
    assertError("{\"a\": 1} x", "unexpected 'x' after the JSON value (line 1, column 10)");
    assertError("{\"a\": 1, \"a\": 2}", "the key \"a\" appears twice in one object (line 1, column 10)");
    assertError("[1 2]", "expected ']', found '2'");
    assertError("[01]", "expected ']', found '1'");
    assertError("-", "a number needs digits after '-'");
    assertError("1.", "a number needs digits after '.'");
    assertError("1e", "a number needs digits in its exponent");
    assertError("99999999999999999999", "the integer 99999999999999999999 is outside the 64-bit range");
    assertError("1e999", "outside the double range");
    assertError("\"abc", "the text ends inside a string");
    assertError("\"a\tb\"", "a control character (U+0009) must be escaped");
    assertError("\"\\x\"", "unknown escape \\x");
    assertError("\"\\u12g4\"", "\\u needs four hex digits, found \"12g4\"");
    assertError("tru", "unexpected 't' where a value was expected");
    assertError("// comment\n{}", "unexpected '/' where a value was expected");
    assertError("", "the text ends where a value was expected");
  }

  @Test
  void refusesNestingDeeperThanTheLimit() {
    String deep = "[".repeat(JsonText.MAX_DEPTH + 2) + "]".repeat(JsonText.MAX_DEPTH + 2);
    assertError(deep, "nesting deeper than 64 levels");
    assertThat(JsonText.read("[".repeat(JsonText.MAX_DEPTH + 1) + "]".repeat(JsonText.MAX_DEPTH + 1), "t")).isInstanceOf(List.class);
  }

  private static void assertError(String text, String message) {
    assertThatThrownBy(() -> JsonText.read(text, "index.json"))
        .isInstanceOf(IntegrityException.class)
        .hasMessageStartingWith("index.json is not valid JSON: ")
        .hasMessageContaining(message);
  }
}

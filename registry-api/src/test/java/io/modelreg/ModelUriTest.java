package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelUriTest {

  @ParameterizedTest
  @CsvSource({
    "models:/churn/7, NUMBER, 7",
    "models:/churn/latest, LATEST, latest",
    "models:/churn/production, STAGE, production",
    "models:/churn@champion, ALIAS, champion",
    "models:/churn/1.4.2, SEMVER, 1.4.2",
    "models:/churn/1.4.2-rc.1+b7, SEMVER, 1.4.2-rc.1+b7",
    "models:/churn/^1.4, RANGE, ^1.4",
    "models:/churn/~1.4.0, RANGE, ~1.4.0",
    "prompts:/greet@production, ALIAS, production",
    "prompts:/greet/2, NUMBER, 2"
  })
  void parsesAndFormatsEveryForm(String text, ModelUri.Kind kind, String reference) {
    ModelUri uri = ModelUri.parse(text);
    assertThat(uri.kind()).isEqualTo(kind);
    assertThat(uri.reference()).isEqualTo(reference);
    assertThat(uri).hasToString(text);
    assertThat(ModelUri.parse(uri.toString())).isEqualTo(uri);
  }

  @Test
  void normalisesCaseOfStagesAndLatest() {
    assertThat(ModelUri.parse("models:/m/Production")).hasToString("models:/m/production");
    assertThat(ModelUri.parse("models:/m/Production").stage()).isEqualTo(Stage.PRODUCTION);
    assertThat(ModelUri.parse("models:/m/LATEST")).isEqualTo(ModelUri.latest("m"));
  }

  @Test
  void factoriesMatchParsing() {
    assertThat(ModelUri.ofNumber("m", 3)).isEqualTo(ModelUri.parse("models:/m/3"));
    assertThat(ModelUri.ofAlias("m", "champion")).isEqualTo(ModelUri.parse("models:/m@champion"));
    assertThat(ModelUri.ofStage("m", Stage.STAGING)).isEqualTo(ModelUri.parse("models:/m/staging"));
    assertThat(ModelUri.parse("models:/m/3").number()).isEqualTo(3);
    assertThat(ModelUri.parse("models:/m/^1").range().upper()).hasToString("2.0.0");
    assertThat(ModelUri.parse("models:/m/3").isImmutable()).isTrue();
    assertThat(ModelUri.parse("models:/m@x").isImmutable()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"models:/", "models:/m", "models:/m/", "models:/m/1/2", "model:/m/1", "models:m/1",
      "models:/m/0", "models:/m/-1", "models:/m/1.2", "models:/m@", "models:/m@a/b", "models:/../x/1",
      "models:/m@1bad", "models:/m/^x", "s3://bucket/m"})
  void rejectsWithTheAllowedForms(String text) {
    assertThatThrownBy(() -> ModelUri.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Allowed forms");
    assertThat(ModelUri.parseOrNull(text)).isNull();
  }

  @Test
  void accessorForTheWrongKindSaysSo() {
    assertThatThrownBy(() -> ModelUri.parse("models:/m@x").number()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ALIAS");
  }
}

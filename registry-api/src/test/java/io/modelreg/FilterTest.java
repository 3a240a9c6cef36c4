package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.Filter.Field;
import io.modelreg.Filter.Op;
import io.modelreg.Filter.Target;
import io.modelreg.spi.ModelRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search grammar, parsed and evaluated directly (the kit checks it end to end through the registry). */
class FilterTest {
  private static final ModelVersion V = ModelVersion.builder().name("churn").number(7)
      .manifest(ArtifactManifest.empty())
      .semver(SemanticVersion.parse("1.4.2")).stage(Stage.STAGING).aliases(List.of("champion", "staging"))
      .tags(Map.of("team", "growth", "data set", "2026-01")).params(Map.of("lr", "0.01"))
      .metrics(Map.of("accuracy", 0.91, "auc", 0.8))
      .metricRuns(List.of(new MetricRecord("bench", Instant.parse("2026-01-01T00:00:00Z"), Map.of("auc", 0.85), "")))
      .lineage(Lineage.builder().runId("run-42").sourceUri("s3://bucket/churn/7").build())
      .build();

  private static boolean matches(String filter) {
    return Filter.parse(filter, Target.VERSIONS).test(V);
  }

  private static void invalid(String filter, Target target, String message, int position) {
    assertThatThrownBy(() -> Filter.parse(filter, target))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid filter at position " + position + ": " + message)
        .hasMessageEndingWith("\n  " + filter + "\n  " + " ".repeat(position) + "^");
  }

  private static void invalid(String filter, String message, int position) {
    invalid(filter, Target.VERSIONS, message, position);
  }

  // ------------------------------------------------------------------ parsing

  @Test
  void anEmptyOrBlankFilterHasNoClausesAndMatchesEverything() {
    assertThat(Filter.parse("", Target.VERSIONS).clauses()).isEmpty();
    assertThat(matches("   ")).isTrue();
  }

  @Test
  void clausesAreParsedWithFieldKeyOperatorAndTypedValues() {
    List<Filter.Clause> clauses = Filter.parse("name = 'churn' and tags.team != \"ml\" AND metrics.auc >= 0.8"
        + " AND version_number IN (1, 7) AND stage = 'Production' AND semver = '^1.2' AND params.`learning rate` LIKE '0.%'",
        Target.VERSIONS).clauses();

    assertThat(clauses).extracting(Filter.Clause::field).containsExactly(Field.NAME, Field.TAG, Field.METRIC,
        Field.VERSION_NUMBER, Field.STAGE, Field.SEMVER, Field.PARAM);
    assertThat(clauses).extracting(Filter.Clause::op).containsExactly(Op.EQ, Op.NE, Op.GE, Op.IN, Op.EQ, Op.EQ, Op.LIKE);
    assertThat(clauses.get(1).key()).isEqualTo("team");
    assertThat(clauses.get(2).values()).containsExactly(0.8);
    assertThat(clauses.get(3).values()).containsExactly(1.0, 7.0);
    assertThat(clauses.get(4).values()).containsExactly(Stage.PRODUCTION);
    assertThat(clauses.get(5).values().get(0)).isInstanceOf(VersionRange.class);
    assertThat(clauses.get(6).key()).isEqualTo("learning rate");
    assertThat(clauses.get(6).like()).isNotNull();
  }

  @Test
  void synonymsAndOperatorSpellingsMeanTheSame() {
    assertThat(Filter.parse("version = 7 AND tag.team == 'growth' AND param.lr <> '1' AND metric.auc > 0"
        + " AND current_stage = 'staging' AND source LIKE 's3:%'", Target.VERSIONS).clauses())
        .extracting(Filter.Clause::field)
        .containsExactly(Field.VERSION_NUMBER, Field.TAG, Field.PARAM, Field.METRIC, Field.STAGE, Field.SOURCE_PATH);
    assertThat(matches("version = 7 AND tag.team == 'growth' AND param.lr <> '1' AND current_stage = 'STAGING'")).isTrue();
  }

  @Test
  void aQuoteInsideAStringIsWrittenTwice() {
    assertThat(Filter.parse("tags.note = 'it''s'", Target.VERSIONS).clauses().get(0).values()).containsExactly("it's");
    assertThat(Filter.parse("tags.note = \"say \"\"hi\"\"\"", Target.VERSIONS).clauses().get(0).values())
        .containsExactly("say \"hi\"");
  }

  // ------------------------------------------------------------------ evaluation

  @Test
  void stringFieldsCompareExactlyAndAMissingTagIsFalseEvenForNotEquals() {
    assertThat(matches("name = 'churn'")).isTrue();
    assertThat(matches("name = 'Churn'")).isFalse();
    assertThat(matches("name != 'other'")).isTrue();
    assertThat(matches("run_id = 'run-42' AND source_path = 's3://bucket/churn/7'")).isTrue();
    assertThat(matches("tags.team IN ('ml', 'growth')")).isTrue();
    assertThat(matches("tags.`data set` = '2026-01'")).isTrue();
    assertThat(matches("tags.owner != 'ada'")).as("a missing tag makes != false too").isFalse();
    assertThat(matches("params.lr = '0.01'")).isTrue();
  }

  @Test
  void likeIsCaseSensitiveIlikeIsNotAndOnlyPercentAndUnderscoreAreWild() {
    assertThat(matches("name LIKE 'ch%'")).isTrue();
    assertThat(matches("name LIKE 'CH%'")).isFalse();
    assertThat(matches("name ILIKE 'CH%'")).isTrue();
    assertThat(matches("name LIKE 'chur_'")).isTrue();
    assertThat(matches("name LIKE 'chu_'")).isFalse();
    assertThat(matches("source_path LIKE 's3://bucket/%/7'")).isTrue();
    assertThat(Filter.likePattern("a.b*c", false).matcher("a.b*c").matches()).isTrue();
    assertThat(Filter.likePattern("a.b*c", false).matcher("axbbc").matches()).as("regex characters are literal").isFalse();
    assertThat(Filter.likePattern("İ%", true).matcher("i̇x").matches()).isTrue();
  }

  @Test
  void numbersCompareAsNumbersAndAMetricIsItsLatestValue() {
    assertThat(matches("version_number = 7.0")).isTrue();
    assertThat(matches("version_number > 6 AND version_number <= 7 AND version_number < 8 AND version_number >= 7")).isTrue();
    assertThat(matches("version_number IN (1, 2)")).isFalse();
    assertThat(matches("metrics.accuracy > 0.9")).isTrue();
    assertThat(matches("metrics.auc = 0.85")).as("the recorded run overrides the registration value").isTrue();
    assertThat(matches("metrics.auc = 0.8")).isFalse();
    assertThat(matches("metrics.recall != 1")).as("a missing metric is false").isFalse();
  }

  @Test
  void aliasMatchesAnyAliasAndNotEqualsMeansNoneIsIt() {
    assertThat(matches("alias = 'champion'")).isTrue();
    assertThat(matches("alias = 'staging'")).as("managed aliases count").isTrue();
    assertThat(matches("alias != 'champion'")).isFalse();
    assertThat(matches("alias != 'challenger'")).isTrue();
    assertThat(matches("alias LIKE 'champ%'")).isTrue();
    assertThat(matches("alias IN ('a', 'champion')")).isTrue();
  }

  @Test
  void stagesParseCaseInsensitively() {
    assertThat(matches("stage = 'staging'")).isTrue();
    assertThat(matches("stage != 'production'")).isTrue();
    assertThat(matches("stage IN ('Development', 'Staging')")).isTrue();
  }

  @Test
  void semverComparesByPrecedenceAndAcceptsRanges() {
    assertThat(matches("semver = '1.4.2'")).isTrue();
    assertThat(matches("semver > '1.4.1' AND semver < '1.10.0'")).as("precedence, not text").isTrue();
    assertThat(matches("semver >= '1.4.2-rc.1'")).isTrue();
    assertThat(matches("semver = '^1.2'")).isTrue();
    assertThat(matches("semver = '~1.3.0'")).isFalse();
    assertThat(matches("semver != '^2'")).isTrue();
    assertThat(matches("semver IN ('1.0.0', '^1.4')")).isTrue();
    ModelVersion none = V.toBuilder().semver(null).build();
    assertThat(Filter.parse("semver != '9.9.9'", Target.VERSIONS).test(none)).as("no semver is false").isFalse();
  }

  @Test
  void modelsAreFilteredByNameTagsAndAliasesOnly() {
    RegisteredModel m = RegisteredModel.of(ModelRecord.create("churn", null, Map.of("team", "growth"),
        Instant.parse("2026-01-01T00:00:00Z")).withAliases(Map.of("champion", 3)));
    assertThat(Filter.parse("name LIKE 'c%' AND tags.team = 'growth' AND alias = 'champion'", Target.MODELS).test(m)).isTrue();
    assertThat(Filter.parse("tags.team = 'ml'", Target.MODELS).test(m)).isFalse();
    invalid("name = 'churn' AND metrics.auc > 1", Target.MODELS,
        "field 'metrics.auc' cannot be used when searching models; allowed: name, tags.<key>, alias", 19);
  }

  // ------------------------------------------------------------------ errors

  @Test
  void errorsNameThePositionWhatWasWrongAndWhatIsAllowed() {
    invalid("name = 'a' OR name = 'b'", "OR is not supported; clauses can only be joined with AND", 11);
    invalid("name = 'a' name = 'b'", "expected AND or the end of the filter, found 'n'", 11);
    invalid("colour = 'red'", "unknown field 'colour'; allowed: name, version_number, run_id, source_path,"
        + " tags.<key>, params.<key>, metrics.<name>, alias, stage, semver", 0);
    invalid("labels.x = 'y'", "unknown field 'labels.x'; keyed fields are tags.<key>, params.<key> and metrics.<name>", 0);
    invalid("= 'x'", "expected a field such as name, version_number, tags.<key> or metrics.<name>, found '='", 0);
    invalid("tags.`team = 'x'", "unterminated back-quoted key; close it with `", 5);
    invalid("name ~ 'x'", "expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN), found '~'", 5);
    invalid("name > 'x'", "operator > cannot be used with name; allowed: =, !=, LIKE, ILIKE, IN", 5);
    invalid("stage LIKE 'p%'", "operator LIKE cannot be used with stage; allowed: =, !=, IN", 6);
    invalid("metrics.auc LIKE '0.%'", "operator LIKE cannot be used with metric; allowed: =, !=, <, <=, >, >=, IN", 12);
    invalid("name = churn", "string values must be quoted, like 'churn'", 7);
    invalid("name = 'churn", "unterminated string; close it with '", 7);
    invalid("version_number = seven", "expected a number for version_number, got 'seven'", 17);
    invalid("stage = 'live'", "unknown stage 'live'; allowed: development, staging, production, archived", 8);
    invalid("name IN ('a', 'b'", "expected ')', found the end", 17);
    invalid("name =", "expected a value, found the end", 6);
  }

  @Test
  void aBadSemverInAFilterCarriesTheSemverParsersReason() {
    assertThatThrownBy(() -> Filter.parse("semver = 'v1.2.3'", Target.VERSIONS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid filter at position 9: ")
        .hasMessageContaining("v");
  }
}

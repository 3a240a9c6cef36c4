package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.MetricRecord;
import io.modelreg.RegistryOptions;
import io.modelreg.Stage;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Names, tags and filters with quotes, semicolons, {@code %}, {@code _} and backslashes are data, never SQL: every
 * value reaches PostgreSQL as a parameter, {@code LIKE} has no escape character, and the answers are exactly the
 * {@code mem:} reference store's for the same data and filters.
 */
@ExtendWith(RequiresPostgres.class)
class HostileInputTest {
  private static final List<String> VALUES = List.of("it's", "x'; DROP TABLE versions; --", "a%b", "a_b", "axb",
      "back\\slash", "semi;colon", "\"double\"", "100%", "_", "%", "Robert'); DELETE FROM models;--", "ünï©ødé");

  @BeforeEach
  void database() {
    TestDatabase.require(); // each test shows as skipped, with the reason, when there is no server
  }

  @Test
  void hostileTagValuesAndFiltersAreDataAndMatchWhatTheReferenceStoreSays() {
    String schema = TestDatabase.newSchema("hostile");
    RegistryOptions.Builder options = TestDatabase.options(schema).cacheTtl(Duration.ZERO);
    try (ModelRegistry db = ModelRegistries.open(TestDatabase.url(), options.build());
         ModelRegistry mem = ModelRegistries.open("mem:")) {
      for (ModelRegistry r : List.of(db, mem)) {
        for (String value : VALUES) {
          r.register("churn", Registration.builder().bytes("m", value.getBytes(StandardCharsets.UTF_8))
              .tag("k", value).tag("odd key/x: y-z", value).description(value).build());
        }
        r.register("churn_x", Registration.builder().bytes("m", new byte[] {1}).tag("k", "other").build());
        r.register("churn1", Registration.builder().bytes("m", new byte[] {2}).tag("k", "other").build());
      }
      List<String> filters = List.of(
          "tags.k = 'it''s'",
          "tags.k = 'x''; DROP TABLE versions; --'",
          "tags.k = \"Robert'); DELETE FROM models;--\"",
          "tags.k LIKE 'a_b'",
          "tags.k LIKE 'a%'",
          "tags.k LIKE '%\\%'",
          "tags.k LIKE 'back\\%'",
          "tags.k LIKE '100%'",
          "tags.k LIKE '_'",
          "tags.k LIKE '%'",
          "tags.k LIKE '%''%'",
          "tags.k ILIKE 'A_B'",
          "tags.k != 'a%b'",
          "tags.`odd key/x: y-z` = 'semi;colon'",
          "tags.`odd key/x: y-z` LIKE '%;%'",
          "name LIKE 'churn_'",
          "name LIKE 'churn%'",
          "name = 'churn%'",
          "name IN ('churn%', 'x''; DROP TABLE models; --')",
          "name = 'churn' AND tags.k LIKE '%;%' AND version_number > 1",
          "tags.k = 'ünï©ødé'");
      for (String filter : filters) {
        assertThat(keys(db.searchVersions(filter))).as("jdbc: versus mem: for %s", filter)
            .isEqualTo(keys(mem.searchVersions(filter)));
      }
      assertThat(keys(db.searchVersions("tags.k LIKE 'a_b'"))).as("'_' matches one character")
          .containsExactly("churn/3", "churn/4", "churn/5");
      assertThat(keys(db.searchVersions("tags.k LIKE 'back\\%'"))).as("a backslash is an ordinary character")
          .containsExactly("churn/6");
      assertThat(db.listVersions("churn")).hasSize(VALUES.size());
      for (ModelVersion v : db.listVersions("churn")) {
        assertThat(VALUES).contains(v.tags().get("k"));
        assertThat(v.description()).contains(v.tags().get("k"));
      }
      assertThat(db.listModels()).extracting(m -> m.name()).containsExactly("churn", "churn1", "churn_x");
    }
  }

  /**
   * Metric, stage and alias clauses pushed down to SQL answer exactly as the {@code mem:} store: current metric
   * values (a later metric run wins over the registration value), the edges where PostgreSQL's {@code double}
   * order differs from {@link Double#compare} ({@code -0.0} against {@code 0.0}; {@code NaN} in a filter), extremes,
   * stages and aliases including the managed ones, and that the store itself narrows the rows by them.
   */
  @Test
  void metricStageAndAliasFiltersAreAnsweredInSqlExactlyAsTheReferenceStore() {
    String schema = TestDatabase.newSchema("hostile");
    RegistryOptions.Builder options = TestDatabase.options(schema).cacheTtl(Duration.ZERO);
    // (no -0.0: jsonb has no negative zero, it reads back as 0.0, see Json)
    double[] values = {0.95, 0.9, 0.5, -1e-9, 0.0, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300, 1e20};
    try (ModelRegistry db = ModelRegistries.open(TestDatabase.url(), options.build());
         ModelRegistry mem = ModelRegistries.open("mem:")) {
      for (ModelRegistry r : List.of(db, mem)) {
        for (int i = 0; i < values.length; i++) {
          r.register("m", Registration.builder().bytes("m", new byte[] {(byte) i}).metric("acc", values[i])
              .metric("loss", i).tag("team", i % 2 == 0 ? "ml" : "web").build());
        }
        r.register("other", Registration.builder().bytes("m", new byte[] {9}).build());
        // a metric run moves version 3's accuracy from 0.5 to 0.99, and version 1's from 0.95 to 0.1
        r.recordMetrics("m", 3, new MetricRecord("run-a", Instant.parse("2026-01-01T00:00:00Z"),
            Map.of("acc", 0.99), ""));
        r.recordMetrics("m", 1, new MetricRecord("run-b", Instant.parse("2026-01-01T00:00:00Z"),
            Map.of("acc", 0.7), ""));
        r.recordMetrics("m", 1, new MetricRecord("run-c", Instant.parse("2026-01-02T00:00:00Z"),
            Map.of("acc", 0.1), ""));
        r.transition("m", 2, Stage.STAGING);
        r.transition("m", 2, Stage.PRODUCTION);
        r.transition("m", 4, Stage.STAGING);
        r.transition("m", 5, Stage.ARCHIVED);
        r.setAlias("m", "champion", 3);
        r.setAlias("m", "c_1", 6);
        r.setAlias("other", "champion", 1);
      }
      List<String> filters = List.of(
          "metrics.acc > 0.9", "metrics.acc >= 0.9", "metrics.acc < 0.5", "metrics.acc <= 0", "metrics.acc < 0",
          "metrics.acc > -0.0", "metrics.acc >= 0", "metrics.acc = 0", "metrics.acc = -0.0", "metrics.acc IN (0, 0.99)",
          "metrics.acc = NaN", "metrics.acc > 1e308", "metrics.acc < -1e308", "metrics.acc IN (NaN)",
          "metrics.acc > 0.05 AND metrics.loss <= 3", "metrics.nothing > 0", "metrics.acc != 0.9",
          "tags.team = 'ml' AND metrics.acc > 0.9",
          "stage = 'production'", "stage IN ('staging', 'archived')", "stage = 'development'", "stage != 'archived'",
          "alias = 'champion'", "alias = 'c_1'", "alias = 'c%'", "alias IN ('champion', 'production')", "alias = 'staging'",
          "alias = 'production' AND metrics.acc >= 0", "alias LIKE 'champ%'", "alias != 'champion'");
      for (String filter : filters) {
        assertThat(keys(db.searchVersions(filter))).as("jdbc: versus mem: for %s", filter)
            .isEqualTo(keys(mem.searchVersions(filter)));
      }
      assertThat(keys(db.searchVersions("metrics.acc > 0.9"))).as("a metric run's value counts, not the registration value")
          .containsExactly("m/3", "m/6", "m/9");
      assertThat(keys(db.searchVersions("metrics.acc < 0"))).as("negative, and 0.0 is not below -0.0 nor 0")
          .containsExactly("m/4", "m/7");
    }
    try (JdbcRegistryStore store = TestDatabase.open(schema)) {
      // the store narrows by itself, with the current value of the metric (run-a moved version 3 to 0.99)
      assertThat(store.searchVersions(List.of(new SearchClause(SearchClause.Subject.VERSION_METRIC, "acc",
          SearchClause.Op.GE, List.of("0.99")))).orElseThrow()).extracting(VersionRecord::number).containsExactly(3, 6, 9);
      assertThat(store.searchVersions(List.of(new SearchClause(SearchClause.Subject.STAGE, null,
          SearchClause.Op.IN, List.of("PRODUCTION", "x'; --")))).orElseThrow()).extracting(VersionRecord::number)
          .containsExactly(2);
      assertThat(store.searchVersions(List.of(new SearchClause(SearchClause.Subject.ALIAS, null,
          SearchClause.Op.EQ, List.of("champion")))).orElseThrow()).extracting(v -> v.model() + "/" + v.number())
          .containsExactly("m/3", "other/1");
      assertThat(store.searchVersions(List.of(new SearchClause(SearchClause.Subject.VERSION_METRIC, "acc'; --",
          SearchClause.Op.IN, List.of("1", "NaN")))).orElseThrow()).isEmpty();
    }
  }

  @Test
  void theStoreTakesHostileTextAsParametersAndRefusesNamesThatAreNotNames() {
    String schema = TestDatabase.newSchema("hostile");
    try (JdbcRegistryStore store = TestDatabase.open(schema)) {
      for (String hostile : List.of("x'; DROP TABLE models; --", "m\" OR 1=1 --", "%", "_", "a\\'b")) {
        assertThat(store.findModel(hostile)).isEmpty();
        assertThat(store.findVersion(hostile, 1)).isEmpty();
        assertThat(store.listVersions(hostile)).isEmpty();
        assertThat(store.readEvents(hostile, 0)).isEmpty();
        assertThatThrownBy(() -> store.allocateVersionNumber(hostile)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.beginUpload(hostile)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.withModelLock(hostile, () -> "x")).isInstanceOf(IllegalArgumentException.class);
      }
      List<SearchClause> clauses = List.of(
          new SearchClause(SearchClause.Subject.MODEL_NAME, null, SearchClause.Op.IN, List.of("'", "a'); --")),
          new SearchClause(SearchClause.Subject.VERSION_TAG, "k'; --", SearchClause.Op.LIKE, List.of("%'%")),
          new SearchClause(SearchClause.Subject.VERSION_NUMBER, null, SearchClause.Op.GT, List.of("1; DROP TABLE x")));
      List<VersionRecord> found = store.searchVersions(clauses).orElseThrow();
      assertThat(found).isEmpty();
      assertThat(store.listModelNames()).isEmpty();
      assertThat(store.verifyStorage().problems()).as("every table is still there and readable").isEmpty();
    }
  }

  private static List<String> keys(List<ModelVersion> versions) {
    return versions.stream().map(v -> v.name() + "/" + v.number()).sorted().toList();
  }
}

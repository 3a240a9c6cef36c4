package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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

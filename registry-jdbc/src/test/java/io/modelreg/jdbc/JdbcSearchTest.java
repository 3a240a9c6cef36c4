package io.modelreg.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.MetricRecord;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.spi.SearchClause;
import io.modelreg.spi.VersionRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The search keeps the version records it parsed and reads again only those whose row version (the {@code xmin}
 * of the row the query starts from) changed: whatever another client or a direct SQL write did in between, a search answers the
 * records as they are now, exactly as a store that keeps nothing does.
 */
@ExtendWith(RequiresPostgres.class)
class JdbcSearchTest {
  private static final List<SearchClause> ML = List.of(
      new SearchClause(SearchClause.Subject.VERSION_TAG, "team", SearchClause.Op.EQ, List.of("ml")));

  @BeforeEach
  void database() {
    TestDatabase.require();
  }

  @Test
  void aSearchAnswersWhatAnotherClientChangedOrDeletedSinceTheLastOne() {
    String schema = TestDatabase.newSchema("search");
    try (JdbcRegistryStore searcher = TestDatabase.open(schema); JdbcRegistryStore fresh = uncached(schema);
         ModelRegistry writer = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      for (int i = 0; i < 3; i++) {
        writer.register("churn", Registration.builder().bytes("m", new byte[] {(byte) i}).tag("team", "ml")
            .metric("accuracy", 0.5 + i / 10.0).description("v" + (i + 1)).build());
      }
      assertThat(descriptions(searcher.searchVersions(ML).orElseThrow())).containsExactly("v1", "v2", "v3");

      writer.updateVersionDescription("churn", 2, "changed");
      writer.setVersionTag("churn", 3, "team", "risk");
      writer.deleteVersion("churn", 1);
      writer.register("churn", Registration.builder().bytes("m", "4".getBytes(StandardCharsets.UTF_8))
          .tag("team", "ml").description("v4").build());

      List<VersionRecord> again = searcher.searchVersions(ML).orElseThrow();
      assertThat(descriptions(again)).containsExactly("changed", "v4");
      assertThat(again).isEqualTo(fresh.searchVersions(ML).orElseThrow());
    }
  }

  /**
   * The row version comes from the table a search starts at: a tag's or a metric's rows (rewritten with every
   * write of their version) or {@code versions} itself. Each start, through changes of every kind and a model
   * deleted and registered again under the same numbers, answers what a store that keeps nothing answers.
   */
  @Test
  void everyStartingTableSeesEveryChange() {
    List<List<SearchClause>> searches = List.of(ML,
        List.of(new SearchClause(SearchClause.Subject.VERSION_METRIC, "accuracy", SearchClause.Op.GE, List.of("0.5"))),
        List.of(new SearchClause(SearchClause.Subject.MODEL_NAME, null, SearchClause.Op.EQ, List.of("churn"))));
    String schema = TestDatabase.newSchema("search");
    try (JdbcRegistryStore searcher = TestDatabase.open(schema); JdbcRegistryStore fresh = uncached(schema);
         ModelRegistry writer = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      List<Runnable> changes = List.of(
          () -> {
            for (int i = 0; i < 3; i++) {
              writer.register("churn", Registration.builder().bytes("m", new byte[] {(byte) i}).tag("team", "ml")
                  .metric("accuracy", 0.5 + i / 10.0).description("v" + (i + 1)).build());
            }
          },
          () -> writer.updateVersionDescription("churn", 2, "changed"),
          () -> writer.recordMetrics("churn", 1, new MetricRecord("nightly", Instant.parse("2026-12-01T00:00:00Z"),
              Map.of("accuracy", 0.2), "")),
          () -> writer.setVersionTag("churn", 3, "team", "risk"),
          () -> writer.deleteModel("churn"),
          () -> writer.register("churn", Registration.builder().bytes("m", new byte[] {9}).tag("team", "ml")
              .metric("accuracy", 0.95).description("again").build()));
      for (int step = 0; step < changes.size(); step++) {
        changes.get(step).run();
        for (List<SearchClause> search : searches) {
          assertThat(searcher.searchVersions(search).orElseThrow()).as("step %d, %s", step, search)
              .isEqualTo(fresh.searchVersions(search).orElseThrow());
        }
      }
      assertThat(descriptions(searcher.searchVersions(ML).orElseThrow())).containsExactly("again");
    }
  }

  @Test
  void aRowRewrittenWithTheSameRevisionIsReadAgain() throws Exception {
    // what a restore from a backup, or a repair by hand, does: the same key and revision, other content
    String schema = TestDatabase.newSchema("search");
    try (JdbcRegistryStore searcher = TestDatabase.open(schema);
         ModelRegistry writer = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      writer.register("churn", Registration.builder().bytes("m", new byte[] {1}).tag("team", "ml")
          .description("before").build());
      assertThat(descriptions(searcher.searchVersions(ML).orElseThrow())).containsExactly("before");
      long revision;
      try (Connection c = TestDatabase.connect(schema); Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE versions SET record = jsonb_set(record, '{description}', '\"restored\"')"
            + " WHERE model = 'churn' AND number = 1");
        try (ResultSet r = s.executeQuery("SELECT revision FROM versions WHERE model = 'churn' AND number = 1")) {
          r.next();
          revision = r.getLong(1);
        }
      }
      List<VersionRecord> found = searcher.searchVersions(ML).orElseThrow();
      assertThat(descriptions(found)).containsExactly("restored");
      assertThat(found.get(0).revision()).isEqualTo(revision);
    }
  }

  @Test
  void aRegistrySearchOverManyModelsReadsEveryOwnersStageAndAliases() {
    String schema = TestDatabase.newSchema("search");
    try (ModelRegistry writer = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build());
         ModelRegistry reader = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
      for (String model : List.of("a", "b", "c")) {
        for (int i = 1; i <= 2; i++) {
          writer.register(model, Registration.builder().bytes("m", new byte[] {(byte) i}).tag("team", "ml")
              .metric("accuracy", i / 2.0).build());
        }
      }
      writer.setAlias("a", "champion", 2);
      writer.transition("b", 2, io.modelreg.Stage.STAGING);
      writer.createModel("unrelated", null, Map.of());

      List<ModelVersion> found = reader.searchVersions("tags.team = 'ml' AND metrics.accuracy > 0.9");
      assertThat(found).extracting(v -> v.name() + "/" + v.number()).containsExactly("a/2", "b/2", "c/2");
      assertThat(found.get(0).aliases()).containsExactly("champion");
      assertThat(found.get(1).stage()).isEqualTo(io.modelreg.Stage.STAGING);
      assertThat(reader.searchVersions("tags.team = 'ml' AND alias = 'champion'"))
          .extracting(v -> v.name() + "/" + v.number()).containsExactly("a/2");

      writer.setAlias("c", "champion", 2); // another client moves an alias: seen once the cache TTL has passed
      try (ModelRegistry later = ModelRegistries.open(TestDatabase.url(), TestDatabase.options(schema).build())) {
        assertThat(later.searchVersions("tags.team = 'ml' AND alias = 'champion'"))
            .extracting(v -> v.name() + "/" + v.number()).containsExactly("a/2", "c/2");
      }
    }
  }

  private static JdbcRegistryStore uncached(String schema) {
    return (JdbcRegistryStore) new JdbcRegistryProvider().open(URI.create(TestDatabase.url()),
        TestDatabase.options(schema).storeOption(JdbcRegistryProvider.SEARCH_CACHE, "0").build());
  }

  private static List<String> descriptions(List<VersionRecord> records) {
    return records.stream().map(v -> String.valueOf(v.description())).toList();
  }
}

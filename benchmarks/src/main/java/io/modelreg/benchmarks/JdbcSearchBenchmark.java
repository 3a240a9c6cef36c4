package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P11 search: {@code tags.team = 'ml' AND metrics.accuracy > 0.9} over 100,000 versions (1,000 models × 100, the
 * P4 data: team cycling through ten values, accuracy {@code (i × 7919 mod 1000) / 1000}) in a {@code jdbc:}
 * registry. The rows are written by SQL in the registry's own record shape (the triggers derive tags and metrics
 * as for any write), because registering 100,000 versions through the API would take most of an hour here.
 * After loading, {@code VACUUM ANALYZE}: what autovacuum gives a real database soon after such a load (since
 * PostgreSQL 13 it vacuums insert-only tables too), so index-only scans find the pages marked all-visible.
 *
 * <p>{@code search} is the steady state of a registry that searches: the store keeps the records it parsed and
 * the policy layer the owners' model records (cache TTL 1 s). {@code searchCold} is a second registry with
 * both off ({@code jdbc.search-cache=0}, {@code cacheTtl} zero): every record and owner read and parsed on
 * each search. Baseline: the same filter as one SQL join of the indexed tag and metric tables alone, returning
 * the same (model, number) pairs sorted, in a session with the store's settings (no parallel workers, no JIT):
 * the least the database does for this answer, without a version's row or record. Needs {@code -Dmodelreg.bench.pg} like
 * {@link JdbcBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JdbcSearchBenchmark {
  private static final String EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private String url;
  private String schema;
  private ModelRegistry registry;
  private ModelRegistry cold;
  private Connection sql;
  private PreparedStatement baseline;

  @Setup
  public void setUp() throws SQLException {
    url = BenchDatabase.url();
    schema = BenchDatabase.schema("bench_p11s");
    registry = ModelRegistries.open(url, RegistryOptions.builder().storeOption("jdbc.schema", schema).build());
    sql = BenchDatabase.connect(url);
    try (Statement s = sql.createStatement()) {
      s.execute("SET search_path = " + schema);
      s.execute("INSERT INTO model_names (name, last_version) SELECT format('model-%s', lpad(m::text, 5, '0')), 100"
          + " FROM generate_series(0, 999) m");
      s.execute("INSERT INTO models (name, revision, created_at, updated_at, record) SELECT name, 1, now(), now(),"
          + " jsonb_build_object('name', name, 'tags', '{}'::jsonb, 'aliases', jsonb_build_object('champion', 7),"
          + " 'stages', '{}'::jsonb, 'production_history', '[]'::jsonb, 'created_at', '2026-01-01T00:00:00Z',"
          + " 'updated_at', '2026-01-01T00:00:00Z', 'revision', 1) FROM model_names");
      s.execute("INSERT INTO versions (model, number, revision, status, digest, created_at, created_by, record)"
          + " SELECT format('model-%s', lpad(m::text, 5, '0')), v, 1, 'READY', '" + EMPTY + "', now(), 'bench',"
          + " jsonb_build_object('model', format('model-%s', lpad(m::text, 5, '0')), 'number', v, 'status', 'READY',"
          + " 'tags', jsonb_build_object('team', (ARRAY['growth','risk','search','ads','ml','infra','data','ops',"
          + "'core','edge'])[(m * 100 + v) % 10 + 1]), 'params', '{}'::jsonb,"
          + " 'metrics', jsonb_build_object('accuracy', (((m * 100 + v) * 7919::bigint) % 1000 / 1000.0)::float8),"
          + " 'metric_runs', '[]'::jsonb, 'lineage', '{}'::jsonb,"
          + " 'artifacts', jsonb_build_object('digest', '" + EMPTY + "', 'files', '[]'::jsonb),"
          + " 'artifact_location', 'db:blobs', 'created_at', '2026-01-01T00:00:00Z', 'created_by', 'bench',"
          + " 'updated_at', '2026-01-01T00:00:00Z', 'revision', 1)"
          + " FROM generate_series(0, 999) m, generate_series(1, 100) v");
      s.execute("VACUUM ANALYZE");
    }
    cold = ModelRegistries.open(url, RegistryOptions.builder().storeOption("jdbc.schema", schema)
        .storeOption("jdbc.search-cache", "0").cacheTtl(Duration.ZERO).build());
    try (Statement s = sql.createStatement()) {
      // the store's own session settings (JdbcRegistryProvider): without them PostgreSQL runs this query with a
      // parallel worker, which on a busy 2-core machine makes the baseline several times slower, not faster
      s.execute("SET max_parallel_workers_per_gather = 0; SET jit = off");
    }
    baseline = sql.prepareStatement("SELECT t.model, t.number FROM version_tags t"
        + " JOIN version_metrics x ON x.model = t.model AND x.number = t.number AND x.key = ? AND x.value > ?"
        + " WHERE t.key = ? AND t.value = ? ORDER BY t.model, t.number");
    int found = search().size();
    if (found < 500 || found > 2000) {
      throw new IllegalStateException("expected about 1,000 matching versions, found " + found);
    }
  }

  @TearDown
  public void tearDown() throws SQLException {
    registry.close();
    cold.close();
    try (Statement s = sql.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
    sql.close();
  }

  @Benchmark
  public List<ModelVersion> search() {
    return registry.searchVersions("tags.team = 'ml' AND metrics.accuracy > 0.9");
  }

  @Benchmark
  public List<ModelVersion> searchCold() {
    return cold.searchVersions("tags.team = 'ml' AND metrics.accuracy > 0.9");
  }

  @Benchmark
  public int baselineSql() throws SQLException {
    baseline.setString(1, "accuracy");
    baseline.setDouble(2, 0.9);
    baseline.setString(3, "team");
    baseline.setString(4, "ml");
    int n = 0;
    try (ResultSet r = baseline.executeQuery()) {
      while (r.next()) {
        n++;
      }
    }
    return n;
  }
}

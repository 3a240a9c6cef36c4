package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P11 register: a 1 GiB artifact (P3's file) registered into a {@code jdbc:} registry (read, SHA-256, 1 MiB
 * chunks into the database, one commit), against {@code sha256sum} of the file plus {@code psql -c '\lo_import'}
 * of it into the same server in the same run: the platform's own tools hashing the bytes once and putting them
 * into PostgreSQL once. Every invocation starts from an empty schema, the large objects the baseline imported
 * deleted, and a {@code CHECKPOINT} (so one shot's writes are not flushed during the next; needs a superuser or
 * {@code pg_checkpoint}). Needs {@code
 * -Dmodelreg.bench.pg} like {@link JdbcBenchmark}, {@code PGPASSWORD} for both sides, and {@code psql} on the
 * PATH.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 4)
@Fork(1)
public class JdbcRegisterBenchmark {
  private String url;
  private String schema;
  private Path source;
  private Connection sql;
  /** The large objects the baseline created, deleted before the next invocation. */
  private final List<Long> imported = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() throws IOException, SQLException {
    url = BenchDatabase.url();
    source = RegisterLargeArtifactBenchmark.oneGibSource();
    schema = BenchDatabase.schema("bench_p11r");
    sql = BenchDatabase.connect(url);
  }

  @Setup(Level.Invocation)
  public void empty() throws SQLException {
    try (Statement s = sql.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      for (long oid : imported) {
        s.execute("SELECT lo_unlink(" + oid + ")");
      }
      imported.clear();
      s.execute("CHECKPOINT"); // the previous invocation's writes are not flushed during the next one
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    empty();
    sql.close();
  }

  @Benchmark
  public ModelVersion registerOneGiB() {
    try (ModelRegistry registry = ModelRegistries.open(url,
        RegistryOptions.builder().storeOption("jdbc.schema", schema).build())) {
      return registry.register("big", Registration.builder().file(source).build());
    }
  }

  @Benchmark
  public int baselineSha256sumLoImport() throws IOException, InterruptedException {
    int rc = new ProcessBuilder("sha256sum", source.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start().waitFor();
    URI server = URI.create(url.substring("jdbc:".length()));
    String query = server.getQuery() == null ? "" : server.getQuery();
    String user = "postgres";
    for (String p : query.split("&")) {
      if (p.startsWith("user=")) {
        user = p.substring("user=".length());
      }
    }
    Process psql = new ProcessBuilder("psql", "-X", "-h", server.getHost(), "-p", Integer.toString(server.getPort()),
        "-U", user, "-d", server.getPath().substring(1), "-c", "\\lo_import " + source)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    rc |= psql.waitFor();
    if (out.startsWith("lo_import ")) { // psql says "lo_import <oid>"
      imported.add(Long.parseLong(out.substring("lo_import ".length()).trim()));
    }
    if (rc != 0) {
      throw new IllegalStateException("sha256sum or psql \\lo_import failed");
    }
    return rc;
  }
}

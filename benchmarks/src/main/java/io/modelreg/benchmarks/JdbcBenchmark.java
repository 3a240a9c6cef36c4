package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 * P11: the {@code jdbc:postgresql:} store on a real PostgreSQL. {@code uncachedResolve}: {@code
 * resolve("models:/m@champion")} with the registry's cache off, against {@code baselineSelectOne}, a bare {@code
 * SELECT 1} on a pooled connection of the same server, so the ratio reads as round trips. {@code
 * aliasMoveSeenByJdbcWatch}: one client moves an alias, and the time until another client (its own store and
 * pool) has been told by its watch and resolves the new version; against {@code aliasMoveSeenByFileWatch}, the
 * same on a {@code file:} registry with the default 500 ms watch poll (the polling the pool relies on today).
 *
 * <p>Needs a server: {@code -Dmodelreg.bench.pg=jdbc:postgresql://127.0.0.1:5433/postgres?user=postgres} and the
 * password in {@code PGPASSWORD}; the benchmark uses the schema {@code bench_p11_<pid>} and drops it at the end.
 * Run: {@code ./mvnw -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * JdbcBenchmark -jvmArgsAppend -Dmodelreg.bench.pg=…}
 */
@State(Scope.Benchmark)
@Fork(1)
public class JdbcBenchmark {
  private String url;
  private String schema;
  private ModelRegistry uncached;
  private ModelRegistry writer;
  private ModelRegistry watcher;
  private final BlockingQueue<RegistryEvent> seen = new LinkedBlockingQueue<>();
  private ModelRegistry fileWriter;
  private ModelRegistry fileWatcher;
  private final BlockingQueue<RegistryEvent> fileSeen = new LinkedBlockingQueue<>();
  private Path fileRoot;
  private com.zaxxer.hikari.HikariDataSource pool;
  private int next = 1;
  private int fileNext = 1;

  @Setup
  public void setUp() throws IOException {
    url = BenchDatabase.url();
    schema = BenchDatabase.schema("bench_p11");
    RegistryOptions.Builder options = RegistryOptions.builder().storeOption("jdbc.schema", schema);
    writer = ModelRegistries.open(url, options.build());
    uncached = ModelRegistries.open(url, RegistryOptions.builder().storeOption("jdbc.schema", schema)
        .cacheTtl(Duration.ZERO).build());
    watcher = ModelRegistries.open(url, RegistryOptions.builder().storeOption("jdbc.schema", schema)
        .cacheTtl(Duration.ZERO).watchPollInterval(Duration.ofMillis(5)).build());
    fileRoot = Files.createTempDirectory("p11-file");
    fileWriter = ModelRegistries.open(fileRoot.toUri());
    fileWatcher = ModelRegistries.open(fileRoot.toUri(), RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
    for (ModelRegistry r : new ModelRegistry[] {writer, fileWriter}) {
      for (int i = 0; i < 10; i++) {
        r.register("m", Registration.builder().bytes("model.bin", new byte[] {(byte) i}).build());
      }
      r.setAlias("m", "champion", 7);
    }
    watcher.watchAll(seen::add);
    fileWatcher.watchAll(fileSeen::add);
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    config.setPassword(BenchDatabase.password());
    pool = new com.zaxxer.hikari.HikariDataSource(config);
  }

  @TearDown
  public void tearDown() throws SQLException, IOException {
    uncached.close();
    watcher.close();
    writer.close();
    fileWatcher.close();
    fileWriter.close();
    pool.close();
    BenchDatabase.dropSchema(url, schema);
    try (var files = Files.walk(fileRoot)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public ModelVersion uncachedResolve() {
    return uncached.resolve("models:/m@champion");
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public int baselineSelectOne() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
      r.next();
      return r.getInt(1);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 3)
  @Measurement(iterations = 15)
  public int aliasMoveSeenByJdbcWatch() throws InterruptedException {
    next = next % 10 + 1;
    return moveAndAwait(writer, watcher, seen, next);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 3)
  @Measurement(iterations = 15)
  public int aliasMoveSeenByFileWatch() throws InterruptedException {
    fileNext = fileNext % 10 + 1;
    return moveAndAwait(fileWriter, fileWatcher, fileSeen, fileNext);
  }

  /** Moves the alias in one client; returns when the other client's watch reported it and it resolves there. */
  private static int moveAndAwait(ModelRegistry from, ModelRegistry to, BlockingQueue<RegistryEvent> events, int version)
      throws InterruptedException {
    events.clear();
    from.setAlias("m", "champion", version);
    while (true) {
      RegistryEvent e = events.poll(10, TimeUnit.SECONDS);
      if (e == null) {
        throw new IllegalStateException("the watch never reported the alias move");
      }
      if (e.type() == RegistryEvent.Type.ALIAS_SET && Integer.valueOf(version).equals(e.version())) {
        int resolved = to.resolve("models:/m@champion").number();
        if (resolved != version) {
          throw new IllegalStateException("resolved " + resolved + " after the event for " + version);
        }
        return resolved;
      }
    }
  }
}

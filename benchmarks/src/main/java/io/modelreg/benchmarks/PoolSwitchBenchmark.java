package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P11 (and P7's switch, across processes): an alias moved by one process, to the first request answered by the
 * new version in <b>another process's</b> {@link io.modelreg.inference.pool.ModelPool}. The serving process is
 * a real child JVM ({@link PoolSwitchChild}: pool and registry at default options, one request a millisecond
 * on {@code models:/m@live}). Before each shot this process registers a version the child has never seen (a
 * 16-feature ONNX model), then waits a random 0.6–1.1 s so the move lands at a random moment of the child's
 * watch poll; the shot is {@code setAlias} through this process's own registry client until the child's
 * {@code answer <n>} line arrives here. One clock: this process's {@code System.nanoTime}, taken before the
 * move and when the line arrives (through a pipe, tens of microseconds); the child's clock is never compared.
 *
 * <p>{@code store=JDBC}: a {@code jdbc:} registry on PostgreSQL (the watch woken by {@code LISTEN/NOTIFY});
 * {@code store=FILE}: the baseline, a {@code file:} registry whose watch polls every 500 ms (P7's path).
 * After each trial the shots are printed with their parts: the commit ({@code setAlias} returning), the
 * child's {@code event} line (its watch delivered the move) and {@code switched} line (the pool has loaded and
 * warmed the new version and switched; it may trail the answer line, since the pool tells its listeners after
 * switching).
 *
 * <p>Needs {@code -Dmodelreg.bench.pg=jdbc:postgresql://…} and {@code PGPASSWORD} for {@code JDBC}; the schema
 * {@code bench_p11_pool_<pid>} is dropped at the end. Run: {@code java -jar benchmarks/target/benchmarks.jar
 * PoolSwitchBenchmark -jvmArgsAppend -Dmodelreg.bench.pg=…}
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.onnx.disable_alternative=true"})
public class PoolSwitchBenchmark {
  static final int FEATURES = 16;

  /** Which store the two processes share. */
  @Param({"JDBC", "FILE"})
  public String store;

  private Path scratch;
  private String uri;
  private String schema = "-";
  private ModelRegistry ci;
  private ModelBundle bundle;
  private Process child;
  private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
  private final Random phase = new Random(11);
  private final List<String> shots = new ArrayList<>();
  private int target;

  /** A line the child printed, with this process's clock when it arrived. */
  private record Line(String text, long nanos) {}

  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    scratch = Files.createTempDirectory("modelreg-p11-pool");
    RegistryOptions.Builder options = RegistryOptions.builder();
    if (store.equals("JDBC")) {
      uri = BenchDatabase.url();
      schema = BenchDatabase.schema("bench_p11_pool");
      options.storeOption("jdbc.schema", schema);
    } else {
      uri = scratch.resolve("registry").toUri().toString();
    }
    ci = ModelRegistries.open(uri, options.build());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < FEATURES; i++) {
      names.add(String.format("f%02d", i));
    }
    Path onnx = PoolBenchmark.trainOnnx(scratch.resolve("model.onnx"), names, new Random(7));
    bundle = ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(names)).build();
    target = bundle.register(ci, "m", Registration.builder()).number();
    ci.setAlias("m", "live", target);
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-Dai.djl.onnx.disable_alternative=true", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), PoolSwitchChild.class.getName(),
        uri, schema, scratch.resolve("cache").toString());
    child = new ProcessBuilder(command).redirectError(scratch.resolve("child.err").toFile()).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(new Line(line, System.nanoTime()));
        }
      } catch (IOException e) {
        // the child ended
      }
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
    await("ready " + target, 120);
  }

  /** A version the child has never loaded, then a random pause so the move falls anywhere in its poll. */
  @Setup(Level.Invocation)
  public void newVersion() throws InterruptedException {
    target = bundle.register(ci, "m", Registration.builder()).number();
    Thread.sleep(600 + phase.nextInt(500)); // the child hears of the registration (no switch) and settles
    lines.clear();
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 3)
  @Measurement(iterations = 15)
  public int aliasMoveToFirstAnswerInAnotherProcess() throws InterruptedException {
    long start = System.nanoTime();
    ci.setAlias("m", "live", target);
    long committed = System.nanoTime();
    long heard = -1;
    long switched = -1;
    while (true) {
      Line line = lines.poll(30, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException("the child did not answer with version " + target + " within 30 s; "
            + childState());
      }
      if (line.text().equals("event " + target)) {
        heard = line.nanos();
      } else if (line.text().startsWith("switched ") && line.text().endsWith(" " + target)) {
        switched = line.nanos();
      } else if (line.text().equals("answer " + target)) {
        shots.add(String.format(Locale.ROOT, "%d: commit %.1f, heard %.1f, switched %.1f, first answer %.1f ms",
            target, ms(committed - start), heard < 0 ? Double.NaN : ms(heard - start),
            switched < 0 ? Double.NaN : ms(switched - start), ms(line.nanos() - start)));
        return target;
      } else if (line.text().startsWith("answer ")) {
        throw new IllegalStateException("the child answered with " + line.text() + ", expected " + target);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException, InterruptedException, SQLException {
    System.out.println();
    System.out.println("P11 pool switch, store " + store + ", from before setAlias to: its commit, the child's lines"
        + " 'event' (its watch heard the move), 'switched' (the pool switched), 'answer' (NaN: line came after the answer):");
    shots.forEach(s -> System.out.println("  version " + s));
    OutputStream stdin = child.getOutputStream();
    stdin.close(); // the child's signal to close its pool and registry and exit
    if (!child.waitFor(60, TimeUnit.SECONDS)) {
      child.destroyForcibly();
    }
    ci.close();
    if (store.equals("JDBC")) {
      BenchDatabase.dropSchema(uri, schema);
    }
    try (var files = Files.walk(scratch)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private void await(String expected, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Line line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null && line.text().equals(expected)) {
        return;
      }
      if (!child.isAlive() && lines.isEmpty()) {
        break;
      }
    }
    throw new IllegalStateException("the child never printed '" + expected + "'; " + childState());
  }

  private String childState() {
    String err;
    try {
      List<String> all = Files.readAllLines(scratch.resolve("child.err"));
      err = String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (IOException e) {
      err = e.toString();
    }
    return (child.isAlive() ? "child alive" : "child exited " + child.exitValue()) + "; its stderr ends:\n" + err;
  }
}

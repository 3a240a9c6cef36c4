package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * P3: registering a 1 GiB artifact into a file registry (read, SHA-256, write, fsync, rename), against
 * {@code sha256sum} plus {@code cp} plus {@code sync} of the same bytes on the same disk in the same run
 * (the same work done by the platform's tools: hash once, copy once, make the copy durable).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RegisterLargeArtifactBenchmark -rf json -rff p3.json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 4)
@Fork(1)
public class RegisterLargeArtifactBenchmark {
  private static final long SIZE = 1L << 30;

  private Path source;
  private Path work;

  @Setup(Level.Trial)
  public void createSource() throws IOException {
    source = oneGibSource();
    work = source.resolveSibling("p3-work");
  }

  /** The 1 GiB of seeded random bytes P3 and P11 register, written once into the benchmark data directory. */
  static Path oneGibSource() throws IOException {
    Path base = Path.of(System.getProperty("modelreg.bench.data", "target/bench-data")).toAbsolutePath();
    Files.createDirectories(base);
    Path file = base.resolve("one-gib.bin");
    if (!Files.exists(file) || Files.size(file) != SIZE) {
      SplittableRandom random = new SplittableRandom(42);
      byte[] chunk = new byte[1 << 20];
      try (OutputStream out = Files.newOutputStream(file)) {
        for (long written = 0; written < SIZE; written += chunk.length) {
          for (int i = 0; i < chunk.length; i += 8) {
            long r = random.nextLong();
            for (int b = 0; b < 8; b++) {
              chunk[i + b] = (byte) (r >>> (8 * b));
            }
          }
          out.write(chunk);
        }
      }
    }
    return file;
  }

  @Setup(Level.Invocation)
  public void emptyWorkDirectory() throws IOException {
    if (Files.exists(work)) {
      try (Stream<Path> walk = Files.walk(work)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(work);
  }

  @Benchmark
  public ModelVersion registerOneGiB() {
    try (ModelRegistry registry = ModelRegistries.open(work.resolve("registry").toUri())) {
      return registry.register("big", Registration.builder().file(source).build());
    }
  }

  @Benchmark
  public int baselineSha256sumCopySync() throws IOException, InterruptedException {
    Path copy = work.resolve("copy.bin");
    int rc = new ProcessBuilder("sha256sum", source.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start().waitFor();
    rc |= new ProcessBuilder("cp", source.toString(), copy.toString()).start().waitFor();
    rc |= new ProcessBuilder("sync", copy.toString()).start().waitFor();
    if (rc != 0) {
      throw new IllegalStateException("sha256sum, cp or sync failed");
    }
    return rc;
  }
}

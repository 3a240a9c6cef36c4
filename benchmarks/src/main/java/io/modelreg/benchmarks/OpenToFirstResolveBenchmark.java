package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * P2: in a fresh JVM, from {@code open()} of a file registry of 1,000 models × 10 versions to the first
 * resolved alias. JVM start is excluded; class loading and JIT warm-up of modelreg and Jackson are
 * included, since that is what a serving process pays. Every measurement is one shot in a new fork.
 *
 * <p>Baseline in the same run: the same fresh fork reading the two files the resolve needs with plain
 * {@code java.nio} (the floor for any file-backed registry).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar OpenToFirstResolveBenchmark -rf json -rff p2.json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
public class OpenToFirstResolveBenchmark {
  private Path dir;

  @Setup
  public void setUp() throws IOException, InterruptedException {
    dir = Datasets.ensure(1000, 10);
  }

  @Benchmark
  public ModelVersion openAndResolveAlias() {
    try (ModelRegistry registry = ModelRegistries.open(dir.toUri())) {
      return registry.resolve("models:/model-00500@champion");
    }
  }

  @Benchmark
  public int baselineReadTheSameFiles() throws IOException {
    Path model = dir.resolve("models/model-00500");
    return Files.readAllBytes(model.resolve("model.json")).length
        + Files.readAllBytes(model.resolve("versions/" + Datasets.CHAMPION + ".json")).length;
  }
}

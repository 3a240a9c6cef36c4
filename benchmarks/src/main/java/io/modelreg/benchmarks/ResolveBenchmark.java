package io.modelreg.benchmarks;

import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * P1: a hot {@code resolve("models:/m@champion")} (cache warm), against the baseline of one {@link
 * ConcurrentHashMap} lookup of an already-resolved version, the least any cached resolve must do.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * ResolveBenchmark -rf json -rff resolve.json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResolveBenchmark {
  @Param({"MEM", "FILE"})
  public Backend backend;

  private ModelRegistry registry;
  private Path scratch;
  private final ConcurrentHashMap<String, ModelVersion> baseline = new ConcurrentHashMap<>();

  @Setup
  public void setUp() throws IOException {
    scratch = Files.createTempDirectory("modelreg-bench");
    registry = backend.open(scratch, RegistryOptions.builder().cacheTtl(Duration.ofHours(1)).build());
    for (int i = 0; i < 10; i++) {
      registry.register("m", Registration.builder().bytes("model.bin", new byte[] {(byte) i}).build());
    }
    registry.setAlias("m", "champion", 7);
    baseline.put("models:/m@champion", registry.resolve("models:/m@champion"));
  }

  @TearDown
  public void tearDown() throws IOException {
    registry.close();
    try (var walk = Files.walk(scratch)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public ModelVersion resolveAliasString() {
    return registry.resolve("models:/m@champion");
  }

  private static final ModelUri CHAMPION = ModelUri.parse("models:/m@champion");

  @Benchmark
  public ModelVersion resolveAliasParsed() {
    return registry.resolve(CHAMPION);
  }

  @Benchmark
  public @Nullable ModelVersion baselineMapLookup() {
    return baseline.get("models:/m@champion");
  }
}

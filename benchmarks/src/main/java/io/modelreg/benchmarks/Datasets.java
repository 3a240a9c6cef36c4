package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Registries the benchmarks read, generated once through the public API into {@code
 * benchmarks/target/bench-data} (or {@code -Dmodelreg.bench.data=DIR}) and reused by later runs.
 *
 * <p>Generation runs in a separate JVM, so a benchmark fork that needs a registry never loads modelreg
 * classes before it measures (P2 measures exactly that cold start).
 */
public final class Datasets {
  /** Every model has a {@code champion} alias on this version number. */
  static final int CHAMPION = 7;
  /** Tag values cycle through these; the P4 filter asks for {@code team = 'ml'}. */
  static final String[] TEAMS = {"growth", "risk", "search", "ads", "ml", "infra", "data", "ops", "core", "edge"};

  private Datasets() {}

  /** The directory of a registry of {@code models × versions}, generating it first if needed. */
  static Path ensure(int models, int versions) throws IOException, InterruptedException {
    Path base = Path.of(System.getProperty("modelreg.bench.data", "target/bench-data")).toAbsolutePath();
    Path dir = base.resolve("registry-" + models + "x" + versions);
    Path marker = dir.resolve("GENERATED");
    if (Files.exists(marker)) {
      return dir;
    }
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Datasets.class.getName(), dir.toString(), Integer.toString(models),
        Integer.toString(versions)).inheritIO().start();
    if (p.waitFor() != 0 || !Files.exists(marker)) {
      throw new IllegalStateException("Generating " + dir + " failed");
    }
    return dir;
  }

  /** Generates a registry: {@code main DIR MODELS VERSIONS}. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int models = Integer.parseInt(args[1]);
    int versions = Integer.parseInt(args[2]);
    long start = System.nanoTime();
    System.out.printf("Generating %d models x %d versions in %s%n", models, versions, dir);
    try (ModelRegistry registry = ModelRegistries.open(dir.toUri())) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> tasks = new ArrayList<>();
      for (int m = 0; m < models; m++) {
        String name = String.format("model-%05d", m);
        int seed = m;
        tasks.add(pool.submit(() -> {
          for (int v = 1; v <= versions; v++) {
            int i = seed * versions + v;
            registry.register(name, Registration.builder()
                .bytes("model.bin", ("weights " + i).getBytes(StandardCharsets.UTF_8))
                .tag("team", TEAMS[i % TEAMS.length])
                .metric("accuracy", ((i * 7919L) % 1000) / 1000.0)
                .build());
            if (v == CHAMPION) {
              registry.setAlias(name, "champion", v);
            }
          }
          return null;
        }));
      }
      for (Future<?> t : tasks) {
        t.get();
      }
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
    Files.writeString(dir.resolve("GENERATED"), models + "x" + versions + "\n");
    System.out.printf("Generated in %.1f s%n", (System.nanoTime() - start) / 1e9);
  }
}

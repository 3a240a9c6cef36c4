package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.SearchRequest;
import java.io.IOException;
import java.util.ArrayList;
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
 * P4: on an open file registry of 100,000 versions (1,000 models × 100), a search with a tag and a
 * metric filter, {@code tags.team = 'ml' AND metrics.accuracy > 0.9}, returning every match (about 1 %).
 *
 * <p>Baseline in the same run: the same predicate as a plain loop over 100,000 in-memory rows of (team,
 * accuracy), the floor for any evaluation that is not indexed.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SearchBenchmark -rf json -rff p4.json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SearchBenchmark {
  private static final String FILTER = "tags.team = 'ml' AND metrics.accuracy > 0.9";

  private ModelRegistry registry;
  private final List<String> teams = new ArrayList<>();
  private double[] accuracy = new double[0];

  @Setup
  public void setUp() throws IOException, InterruptedException {
    registry = ModelRegistries.open(Datasets.ensure(1000, 100).toUri());
    List<ModelVersion> all = registry.searchVersions("");
    accuracy = new double[all.size()];
    for (int i = 0; i < all.size(); i++) {
      teams.add(all.get(i).tags().get("team"));
      accuracy[i] = all.get(i).latestMetric("accuracy").orElse(0);
    }
  }

  @TearDown
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  public List<ModelVersion> searchTagAndMetric() {
    return registry.searchVersions(SearchRequest.of(FILTER).maxResults(SearchRequest.MAX_PAGE_SIZE)).items();
  }

  @Benchmark
  public int baselinePlainLoop() {
    int matches = 0;
    for (int i = 0; i < accuracy.length; i++) {
      if ("ml".equals(teams.get(i)) && accuracy[i] > 0.9) {
        matches++;
      }
    }
    return matches;
  }
}

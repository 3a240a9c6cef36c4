package io.modelreg.jmh;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.bench.BenchInput;
import io.modelreg.inference.bench.BenchTarget;
import io.modelreg.inference.pool.ModelPool;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A JMH state for benchmarking a registered model on your own rows. Extend it, add {@code @Benchmark} methods
 * that call {@link #predictRow()} or {@link #predictBatch()}, and pass the parameters with {@code -p}:
 *
 * <pre>{@code
 * @State(Scope.Benchmark)
 * public class ChurnBenchmark extends ModelBenchmark {
 *   @Benchmark
 *   public float[] oneRow() {
 *     return predictRow();
 *   }
 *
 *   @Benchmark
 *   public float[][] batch() {
 *     return predictBatch();
 *   }
 * }
 * // java -jar benchmarks.jar ChurnBenchmark -p registry=file:/srv/models -p model=models:/churn/6,models:/churn/7 \
 * //     -p input=rows.csv -p batchSize=1,32
 * }</pre>
 *
 * <p>Parameters ({@code @Param} fields, set with {@code -p name=value} or {@code OptionsBuilder.param}; a
 * comma-separated list makes JMH run each value):
 * <ul>
 *   <li>{@code registry}: the registry URI; empty (the default) means {@link ModelRegistries#open()}'s default
 *       ({@code MODELREG_URI}, then {@code -Dmodelreg.uri}, then {@code ~/.modelreg/registry});
 *   <li>{@code model}: the model URI ({@code models:/churn/7}, {@code models:/churn@champion}); required. It is
 *       resolved once per trial, so an alias that moves during a run does not change what is measured;
 *   <li>{@code input}: a CSV file with a header, or JSON lines; required. Columns the model does not take are
 *       dropped, so one file serves versions with different features;
 *   <li>{@code label}: a column to drop from the rows (the label, when the file has one); default none;
 *   <li>{@code batchSize}: rows per {@link #predictBatch()} call; default 1;
 *   <li>{@code via}: {@code predictor} (the default: {@link ModelPredictor} directly) or {@code pool} (through a
 *       {@link ModelPool}, so lease and metrics overhead are included, as a server would see it);
 *   <li>{@code cache}: the local model cache directory; default {@link PredictorOptions}'s.
 * </ul>
 *
 * <p>Everything is loaded in a trial-level {@code @Setup} (outside measurement): the registry is opened, the
 * version resolved and loaded, one warm-up prediction made, the rows read and cut into batches. The rows cycle;
 * the cursor is a plain field shared by benchmark threads, so with several threads rows may repeat, which only
 * changes which rows are predicted.
 */
@State(Scope.Benchmark)
public abstract class ModelBenchmark {
  /** The registry URI; empty for the default registry. */
  @Param("")
  public String registry;

  /** The model URI; required. */
  @Param("")
  public String model;

  /** The rows file (CSV with a header, or JSON lines); required. */
  @Param("")
  public String input;

  /** A column to drop from the rows, such as the label; empty for none. */
  @Param("")
  public String label;

  /** Rows per {@link #predictBatch()} call. */
  @Param("1")
  public int batchSize;

  /** {@code predictor} or {@code pool}. */
  @Param("predictor")
  public String via;

  /** The local model cache directory; empty for the default. */
  @Param("")
  public String cache;

  private @Nullable ModelRegistry opened;
  private @Nullable ModelPredictor predictor;
  private @Nullable ModelPool<ModelPredictor> pool;
  private @Nullable ModelVersion version;
  private String poolUri = "";
  private List<? extends Map<String, ?>> rows = List.of();
  private List<List<? extends Map<String, ?>>> batches = List.of();
  private int nextRow;
  private int nextBatch;

  /**
   * Opens the registry, loads the version, reads the rows. Runs once per trial, outside measurement.
   *
   * @throws IllegalArgumentException when a required parameter is missing or a value is not allowed
   */
  @Setup(Level.Trial)
  public void openModel() {
    if (model.isBlank()) {
      throw new IllegalArgumentException("Set the model to benchmark: -p model=models:/<name>/<version>");
    }
    if (input.isBlank()) {
      throw new IllegalArgumentException("Set the rows to predict: -p input=rows.csv (a header line) or rows.jsonl");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    String mode = via.toLowerCase(Locale.ROOT);
    if (!mode.equals("predictor") && !mode.equals("pool")) {
      throw new IllegalArgumentException("via must be 'predictor' or 'pool', got '" + via + "'");
    }
    ModelUri uri = ModelUri.parse(model);
    BenchInput in = BenchInput.read(Path.of(input), label.isBlank() ? null : label);
    ModelRegistry r = registry.isBlank() ? ModelRegistries.open() : ModelRegistries.open(registry);
    opened = r;
    PredictorOptions options = cache.isBlank() ? PredictorOptions.defaults() : PredictorOptions.defaults().cacheDirectory(Path.of(cache));
    if (mode.equals("pool")) {
      ModelPool<ModelPredictor> p = ModelPool.builder(r).predictorOptions(options).backgroundMaintenance(false).build();
      pool = p;
      // the pool serves what the URI names at each call; the benchmark pins the version it resolves now
      ModelVersion v = r.resolve(uri);
      version = v;
      poolUri = v.uri().toString();
      p.pin(poolUri);
      rows = p.call(poolUri, lease -> BenchTarget.of(poolUri, lease.predictor()).prepare(in.rows()));
    } else {
      ModelPredictor p = ModelPredictor.load(r, uri, options);
      predictor = p;
      version = p.version().orElse(null);
      rows = BenchTarget.of(model, p).prepare(in.rows());
    }
    batches = BenchInput.batches(rows, batchSize);
    predictRow();
    predictBatch();
  }

  /** Closes the model, the pool and the registry. */
  @TearDown(Level.Trial)
  public void closeModel() {
    ModelPool<ModelPredictor> p = pool;
    ModelPredictor m = predictor;
    ModelRegistry r = opened;
    pool = null;
    predictor = null;
    opened = null;
    if (p != null) {
      p.close();
    }
    if (m != null) {
      m.close();
    }
    if (r != null) {
      r.close();
    }
  }

  /** The next row of the file (cycling), as the model takes it. */
  protected final Map<String, ?> nextRow() {
    int i = nextRow;
    nextRow = i + 1 >= rows.size() ? 0 : i + 1;
    return rows.get(i);
  }

  /** The next batch of {@code batchSize} consecutive rows (cycling). */
  protected final List<? extends Map<String, ?>> nextBatch() {
    int i = nextBatch;
    nextBatch = i + 1 >= batches.size() ? 0 : i + 1;
    return batches.get(i);
  }

  /** Predicts the next row in one call; the first output. */
  protected final float[] predictRow() {
    Map<String, ?> row = nextRow();
    ModelPool<ModelPredictor> p = pool;
    return p != null ? p.predict(poolUri, row).output() : predictor().predict(row);
  }

  /** Predicts the next batch in one call; the first output of each row. */
  protected final float[][] predictBatch() {
    List<? extends Map<String, ?>> batch = nextBatch();
    ModelPool<ModelPredictor> p = pool;
    return p != null ? p.call(poolUri, lease -> lease.predictor().predictBatch(batch)) : predictor().predictBatch(batch);
  }

  /**
   * The loaded predictor, for benchmarks of other calls ({@code predictProba}, {@code predictLabel}).
   *
   * @throws IllegalStateException with {@code via=pool} or before setup
   */
  protected final ModelPredictor predictor() {
    ModelPredictor p = predictor;
    if (p == null) {
      throw new IllegalStateException("No predictor: the state is not set up, or via=pool (use predictRow/predictBatch)");
    }
    return p;
  }

  /**
   * The version being measured (resolved once at setup).
   *
   * @throws IllegalStateException before setup, or for a model outside a registry
   */
  protected final ModelVersion version() {
    ModelVersion v = version;
    if (v == null) {
      throw new IllegalStateException("No version: the state is not set up");
    }
    return v;
  }

  /** The rows as the model takes them. */
  protected final List<? extends Map<String, ?>> rows() {
    return rows;
  }
}

package io.modelreg.benchmarks;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.pool.MemoryBudget;
import io.modelreg.inference.pool.ModelPool;
import io.modelreg.inference.pool.PoolPrediction;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * P7: the pool's hit path ({@code pool.predict("models:/p7@live", row)} with the model loaded) against
 * calling the same {@link ModelPredictor} directly in the same run; and, as a single shot per iteration,
 * the time from moving the alias (through another registry client on the same file registry) to the first
 * request the new version answers.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PoolBenchmark -rf json -rff p7.json}
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.onnx.disable_alternative=true"})
public class PoolBenchmark {
  private Path scratch;
  private ModelRegistry serving;
  private ModelRegistry ci;
  private ModelPool<ModelPredictor> pool;
  private ModelPredictor direct;
  private Map<String, Object> row;
  private int target = 1;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    scratch = Files.createTempDirectory("modelreg-p7");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      names.add(String.format("f%02d", i));
    }
    Random r = new Random(7);
    Path onnx = trainOnnx(scratch.resolve("model.onnx"), names, r);
    RegistryOptions options = RegistryOptions.builder().build(); // default watch poll (500 ms) and cache TTL
    serving = ModelRegistries.open(scratch.resolve("registry").toUri(), options);
    ci = ModelRegistries.open(scratch.resolve("registry").toUri(), options);
    ModelBundle bundle = ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(names)).build();
    bundle.register(ci, "p7", Registration.builder());
    bundle.register(ci, "p7", Registration.builder());
    ci.setAlias("p7", "live", 1);
    PredictorOptions predictorOptions = PredictorOptions.defaults().cacheDirectory(scratch.resolve("cache"));
    pool = ModelPool.builder(serving).budget(MemoryBudget.bytes(1L << 30)).predictorOptions(predictorOptions).build();
    direct = ModelPredictor.load(serving, ModelUri.parse("models:/p7/1"), predictorOptions);
    row = new HashMap<>();
    for (String n : names) {
      row.put(n, r.nextGaussian());
    }
    pool.predict("models:/p7@live", row);
  }

  /** Trains a logistic regression on {@code names} (1,000 rows from {@code r}) and writes it as ONNX. */
  static Path trainOnnx(Path onnx, List<String> names, Random r) throws IOException {
    LabelFactory factory = new LabelFactory();
    List<Example<Label>> examples = new ArrayList<>();
    for (int n = 0; n < 1000; n++) {
      double[] x = new double[names.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextGaussian();
      }
      examples.add(new ArrayExample<>(new Label(x[0] + x[1] > 0 ? "yes" : "no"), names.toArray(new String[0]), x));
    }
    LinearSGDModel model = (LinearSGDModel) new LogisticRegressionTrainer().train(
        new MutableDataset<>(new ListDataSource<>(examples, factory, new SimpleDataSourceProvenance("p7", factory))));
    model.saveONNXModel("io.modelreg.bench", 1, onnx);
    return onnx;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
    direct.close();
    serving.close();
    ci.close();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public PoolPrediction poolHitPath() {
    return pool.predict("models:/p7@live", row);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public float[] baselinePredictorDirect() {
    return direct.predict(row);
  }

  /** Moves the alias through the other client, then predicts until the new version answers. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 10)
  public int aliasMoveToNewVersionServing() {
    target = target == 1 ? 2 : 1;
    ci.setAlias("p7", "live", target);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (pool.predict("models:/p7@live", row).version().number() == target) {
        return target;
      }
    }
    throw new IllegalStateException("the pool did not switch within 30 s");
  }
}

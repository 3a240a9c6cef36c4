package io.modelreg.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.Registration;
import io.modelreg.inference.ModelBundle;
import io.modelreg.inference.ModelPredictor;
import io.modelreg.inference.PredictorOptions;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * P6: {@link ModelPredictor} against raw ONNX Runtime {@code session.run} on the same model (Tribuo
 * logistic regression, 16 features → 2 probabilities) in the same run: one row and a batch of 256.
 * Both sides build their input tensor from a {@code float[]} on every call.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PredictorBenchmark -rf json -rff p6.json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.onnx.disable_alternative=true"})
public class PredictorBenchmark {
  static final int FEATURES = 16;
  static final int BATCH = 256;

  private Path scratch;
  private ModelRegistry registry;
  private ModelPredictor predictor;
  private OrtEnvironment env;
  private OrtSession session;
  private String inputName;
  private float[] row;
  private float[] batch;
  private Map<String, Object> rowMap;

  @Setup
  public void setUp() throws IOException, OrtException {
    scratch = Files.createTempDirectory("modelreg-p6");
    Random r = new Random(1);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < FEATURES; i++) {
      names.add(String.format("f%02d", i));
    }
    LabelFactory factory = new LabelFactory();
    List<Example<Label>> examples = new ArrayList<>();
    for (int n = 0; n < 2000; n++) {
      double[] x = new double[FEATURES];
      double score = 0;
      for (int i = 0; i < FEATURES; i++) {
        x[i] = r.nextGaussian();
        score += (i % 3 - 1) * x[i];
      }
      examples.add(new ArrayExample<>(new Label(score > 0 ? "yes" : "no"), names.toArray(new String[0]), x));
    }
    LinearSGDModel model = (LinearSGDModel) new LogisticRegressionTrainer().train(
        new MutableDataset<>(new ListDataSource<>(examples, factory, new SimpleDataSourceProvenance("p6", factory))));
    Path onnx = scratch.resolve("model.onnx");
    model.saveONNXModel("io.modelreg.bench", 1, onnx);

    registry = ModelRegistries.open("mem:");
    ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(names)).build()
        .register(registry, "p6", Registration.builder());
    // DJL first: it must create the ONNX Runtime environment before raw ORT code does
    predictor = ModelPredictor.load(registry, ModelUri.parse("models:/p6/1"),
        PredictorOptions.defaults().cacheDirectory(scratch.resolve("cache")));
    env = OrtEnvironment.getEnvironment();
    session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
    inputName = session.getInputNames().iterator().next();

    row = new float[FEATURES];
    batch = new float[FEATURES * BATCH];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = (float) r.nextGaussian();
    }
    System.arraycopy(batch, 0, row, 0, FEATURES);
    rowMap = new HashMap<>();
    for (int i = 0; i < FEATURES; i++) {
      rowMap.put(names.get(i), (double) row[i]);
    }
  }

  @TearDown
  public void tearDown() throws OrtException {
    predictor.close();
    session.close();
    registry.close();
  }

  private float[][] raw(float[] data, int rows) throws OrtException {
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {rows, FEATURES});
        OrtSession.Result result = session.run(Map.of(inputName, t))) {
      return (float[][]) result.get(0).getValue();
    }
  }

  @Benchmark
  public float[][] rawOrtOneRow() throws OrtException {
    return raw(row, 1);
  }

  @Benchmark
  public float[] predictorOneRowFeatures() {
    return predictor.predictFeatures(row);
  }

  @Benchmark
  public float[] predictorOneRowMap() {
    return predictor.predict(rowMap);
  }

  @Benchmark
  public float[][] rawOrtBatch256() throws OrtException {
    return raw(batch, BATCH);
  }

  @Benchmark
  public float[][] predictorBatch256Features() {
    return predictor.predictFeaturesBatch(batch, BATCH);
  }
}

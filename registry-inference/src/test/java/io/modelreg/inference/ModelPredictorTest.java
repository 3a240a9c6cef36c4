package io.modelreg.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.modelreg.ArtifactEntry;
import io.modelreg.Lineage;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.Stage;
import io.modelreg.inference.preprocess.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Train with Tribuo, register a bundle in a file registry, load it by alias, predict as Tribuo does. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelPredictorTest {
  private Path dir;
  private ModelRegistry registry;
  private ChurnData.Trained trained;
  private ModelVersion version;
  private Path cache;

  @BeforeAll
  void trainAndRegister(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    registry = ModelRegistries.open(dir.resolve("registry").toUri());
    cache = dir.resolve("cache");
    trained = ChurnData.train(600, 7);
    Path onnx = dir.resolve("model.onnx");
    trained.saveOnnx(onnx);
    ModelBundle bundle = ModelBundle.builder()
        .onnx(onnx)
        .preprocessor(trained.preprocessor())
        .featureOrder(trained.featureOrder())
        .labels(trained.labels())
        .inputExample(trained.rows().subList(0, 3))
        .clock(Clock.fixed(Instant.parse("2026-07-08T09:10:11.123456Z"), ZoneOffset.UTC))
        .build();
    version = bundle.register(registry, "churn", Registration.builder()
        .semver("1.0.0")
        .metric("accuracy", 0.9)
        .lineage(Lineage.builder().runId("tribuo-run").dependency("tribuo", "4.3.2").build()));
    registry.transition("churn", version.number(), Stage.STAGING);
    registry.transition("churn", version.number(), Stage.PRODUCTION);
  }

  @AfterAll
  void close() {
    registry.close();
  }

  private ModelPredictor load(String uri) {
    return ModelPredictor.load(registry, ModelUri.parse(uri), PredictorOptions.defaults().cacheDirectory(cache));
  }

  @Test
  void predictionsEqualTribuosWithinFloatTolerance() {
    try (ModelPredictor p = load("models:/churn@production")) {
      assertThat(p.version().orElseThrow().number()).isEqualTo(version.number());
      assertThat(p.labels()).containsExactlyElementsOf(trained.labels());
      for (Map<String, Object> row : ChurnData.rows(50, 99)) {
        Map<String, Float> ours = p.predictProba(row);
        Map<String, Double> theirs = trained.tribuoProba(row);
        for (String label : trained.labels()) {
          assertThat((double) ours.get(label)).as("P(%s) for %s", label, row).isCloseTo(theirs.get(label), within(1e-4));
        }
        String best = theirs.get("churn") > theirs.get("stay") ? "churn" : "stay";
        assertThat(p.predictLabel(row)).isEqualTo(best);
      }
    }
  }

  @Test
  void aBatchIsOneCallWithTheSameAnswers() {
    try (ModelPredictor p = load("models:/churn/1.0.0")) {
      List<Map<String, Object>> rows = ChurnData.rows(64, 5);
      float[][] batch = p.predictBatch(rows);
      List<Map<String, Float>> proba = p.predictProbaBatch(rows);
      for (int i = 0; i < rows.size(); i++) {
        assertThat(batch[i]).containsExactly(p.predict(rows.get(i)), within(1e-6f));
        assertThat(proba.get(i).get(trained.labels().get(0))).isCloseTo(batch[i][0], within(1e-6f));
      }
    }
  }

  /** A public record is an input row too. */
  public record Customer(Double age, double income, double tenure, String plan) {}

  @Test
  void recordsAreRows() {
    try (ModelPredictor p = load("models:/churn/1")) {
      Map<String, Object> row = Map.of("age", 30.0, "income", 50_000.0, "tenure", 12.0, "plan", "pro");
      assertThat(p.predict(new Customer(30.0, 50_000, 12, "pro"))).containsExactly(p.predict(row));
    }
  }

  @Test
  void manyThreadsGetTheSameAnswersAsOne() throws Exception {
    List<Map<String, Object>> rows = ChurnData.rows(40, 11);
    try (ModelPredictor p = load("models:/churn@production")) {
      List<float[]> expected = new ArrayList<>();
      for (Map<String, Object> row : rows) {
        expected.add(p.predict(row));
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          results.add(pool.submit(() -> {
            for (int round = 0; round < 25; round++) {
              for (int i = 0; i < rows.size(); i++) {
                if (!java.util.Arrays.equals(p.predict(rows.get(i)), expected.get(i))) {
                  return false;
                }
              }
            }
            return true;
          }));
        }
        for (Future<Boolean> r : results) {
          assertThat(r.get(120, TimeUnit.SECONDS)).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aSecondLoadReadsTheCacheAndADamagedEntryIsFetchedAgain() throws IOException {
    Path privateCache = dir.resolve("cache-" + System.nanoTime());
    PredictorOptions options = PredictorOptions.defaults().cacheDirectory(privateCache);
    try (ModelPredictor first = ModelPredictor.load(registry, ModelUri.parse("models:/churn/1"), options)) {
      assertThat(first.loadedFromCache()).isFalse();
    }
    float[] before;
    try (ModelPredictor second = ModelPredictor.load(registry, ModelUri.parse("models:/churn/1"), options)) {
      assertThat(second.loadedFromCache()).isTrue();
      before = second.predict(trained.rows().get(0));
    }
    Path cached = privateCache.resolve(version.digest().hex()).resolve("model.onnx");
    byte[] bytes = Files.readAllBytes(cached);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(cached, bytes);
    try (ModelPredictor third = ModelPredictor.load(registry, ModelUri.parse("models:/churn/1"), options)) {
      assertThat(third.loadedFromCache()).isFalse();
      assertThat(third.predict(trained.rows().get(0))).containsExactly(before);
    }
  }

  @Test
  void badInputIsOneErrorNamingEveryProblem() {
    try (ModelPredictor p = load("models:/churn/1")) {
      Map<String, Object> row = new HashMap<>();
      row.put("age", "thirty");
      row.put("income", Double.NaN);
      row.put("plan", "pro");
      row.put("zip", "10115");
      assertThatThrownBy(() -> p.predict(row)).isInstanceOfSatisfying(InvalidInputException.class, e ->
          assertThat(e.problems()).containsExactly("'age' must be a number, got String thirty",
              "'income' is NaN but the model has no imputer for it", "missing column 'tenure'", "unexpected column 'zip'"));
      Map<String, Object> gold = new HashMap<>(trained.rows().get(0));
      gold.put("plan", "gold");
      assertThatThrownBy(() -> p.predict(gold)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'gold'").hasMessageContaining("[basic, enterprise, pro]");
      Map<String, Object> missingAge = new HashMap<>(trained.rows().get(0));
      missingAge.put("age", null);
      assertThat(p.predict(missingAge)).hasSize(2);
      assertThatThrownBy(() -> p.predictFeatures(new float[3])).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("takes 6 features");
    }
  }

  @Test
  void theBundleIsAnMlflowModelDirectory() throws IOException {
    assertThat(version.manifest().files()).extracting(ArtifactEntry::path).contains("MLmodel", "model.onnx",
        "preprocessor.json", "input_example.json", "serving_input_example.json", "conda.yaml", "python_env.yaml",
        "requirements.txt");
    assertThat(version.signature().orElseThrow().inputs()).extracting(f -> f.name() + ":" + f.type())
        .containsExactlyInAnyOrder("age:double", "income:double", "tenure:double", "plan:string");
    JsonNode mlmodel;
    try (InputStream in = registry.openArtifact(version, "MLmodel")) {
      mlmodel = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    assertThat(mlmodel.path("flavors").path("onnx").path("data").asText()).isEqualTo("model.onnx");
    assertThat(mlmodel.path("flavors").path("python_function").path("loader_module").asText()).isEqualTo("mlflow.onnx");
    assertThat(mlmodel.path("model_uuid").asText()).matches("[0-9a-f]{32}");
    assertThat(mlmodel.path("utc_time_created").asText()).as("the bundle's clock, as MLflow writes it")
        .isEqualTo("2026-07-08 09:10:11.123456");
    assertThat(mlmodel.path("saved_input_example_info").path("type").asText()).isEqualTo("dataframe");
    JsonNode inputs = new ObjectMapper().readTree(mlmodel.path("signature").path("inputs").asText());
    assertThat(inputs.get(0).path("type").asText()).isEqualTo("double");
    assertThat(inputs.get(0).path("name").asText()).isEqualTo("age");
    assertThat(inputs.get(0).path("required").asBoolean()).isFalse();
    JsonNode outputs = new ObjectMapper().readTree(mlmodel.path("signature").path("outputs").asText());
    assertThat(outputs.get(0).path("tensor-spec").path("shape").toString()).isEqualTo("[-1,2]");
    String example;
    try (InputStream in = registry.openArtifact(version, "serving_input_example.json")) {
      example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(example).contains("dataframe_split").contains("\"columns\"").contains("\"plan\"");
  }

  @Test
  void aModelDirectoryLoggedByPythonMlflowLoadsAndPredicts() throws IOException {
    Path logged = Files.createDirectories(dir.resolve("python-logged"));
    try (InputStream in = getClass().getResourceAsStream("/python-mlflow-onnx/MLmodel")) {
      Files.write(logged.resolve("MLmodel"), java.util.Objects.requireNonNull(in).readAllBytes());
    }
    ChurnData.Trained twoFeatures = TwoFeatureModel.train();
    twoFeatures.saveOnnx(logged.resolve("model.onnx"));
    try (ModelPredictor p = ModelPredictor.open(logged)) {
      assertThat(p.version()).isEmpty();
      assertThat(p.inputs()).extracting(i -> i.name()).containsExactly("f00", "f01");
      Map<String, Object> row = Map.of("f00", 1.5, "f01", -0.5);
      float[] out = p.predict(row);
      Map<String, Double> tribuo = twoFeatures.tribuoProba(row);
      assertThat((double) out[0]).isCloseTo(tribuo.get(twoFeatures.labels().get(0)), within(1e-4));
    }
  }

  @Test
  void unusableBundlesGetClearErrors() throws IOException {
    Path noMlmodel = Files.createDirectories(dir.resolve("no-mlmodel"));
    Files.writeString(noMlmodel.resolve("model.onnx"), "x");
    assertThatThrownBy(() -> ModelPredictor.open(noMlmodel)).isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("no MLmodel");

    Path sklearn = Files.createDirectories(dir.resolve("sklearn"));
    Files.writeString(sklearn.resolve("MLmodel"), "flavors:\n  sklearn:\n    pickled_model: model.pkl\n");
    assertThatThrownBy(() -> ModelPredictor.open(sklearn)).isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("[sklearn]").hasMessageContaining("onnx flavor");

    Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
    try (InputStream in = registry.openArtifact(version, "MLmodel")) {
      Files.write(corrupt.resolve("MLmodel"), in.readAllBytes());
    }
    try (InputStream in = registry.openArtifact(version, "preprocessor.json")) {
      Files.write(corrupt.resolve("preprocessor.json"), in.readAllBytes());
    }
    Files.writeString(corrupt.resolve("model.onnx"), "this is not a protobuf");
    assertThatThrownBy(() -> ModelPredictor.open(corrupt)).isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("ONNX Runtime cannot load model.onnx");

    ModelVersion notABundle = registry.register("plain", Registration.builder().bytes("weights.bin", new byte[] {1}).build());
    assertThatThrownBy(() -> load("models:/plain/" + notABundle.number())).isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("models:/plain/1").hasMessageContaining("no MLmodel");
  }
}

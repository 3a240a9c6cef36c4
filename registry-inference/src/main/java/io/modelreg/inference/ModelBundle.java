package io.modelreg.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.Signature;
import io.modelreg.inference.preprocess.Frame;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A trained model as an MLflow model directory that Python MLflow can read: {@code MLmodel} (flavors
 * {@code onnx} and {@code python_function}, signature, input example info), {@code model.onnx}, {@code
 * input_example.json} and {@code serving_input_example.json}, the environment files MLflow writes ({@code
 * conda.yaml}, {@code python_env.yaml}, {@code requirements.txt}), and {@code preprocessor.json}, the
 * fitted preprocessor as data.
 *
 * <pre>{@code
 * ModelBundle bundle = ModelBundle.builder()
 *     .onnx(Path.of("model.onnx"))
 *     .preprocessor(preprocessor)
 *     .featureOrder(tribuoFeatureOrder)     // the order the ONNX input takes features in
 *     .labels(List.of("churn", "stay"))
 *     .inputExample(List.of(row))
 *     .build();
 * ModelVersion v = bundle.register(registry, "churn", Registration.builder().metric("accuracy", 0.91));
 * }</pre>
 *
 * The MLmodel signature's inputs are the raw columns the preprocessor takes (column-based, {@code double}
 * or {@code string}); its outputs describe the ONNX outputs. Python MLflow cannot run the preprocessor,
 * so a pyfunc that should predict in Python is best bundled without one.
 */
public final class ModelBundle {
  static final String MODEL_FILE = "model.onnx";
  static final String PREPROCESSOR_FILE = "preprocessor.json";
  static final String INPUT_EXAMPLE = "input_example.json";
  static final String SERVING_INPUT_EXAMPLE = "serving_input_example.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final byte[] onnx;
  private final Preprocessor preprocessor;
  private final List<String> featureOrder;
  private final List<String> labels;
  private final @Nullable String probabilityOutput;
  private final List<Map<String, ?>> inputExample;
  private final List<Signature.Field> outputs;
  private final Clock clock;

  private ModelBundle(Builder b, byte[] onnx, Preprocessor preprocessor) {
    this.onnx = onnx;
    this.preprocessor = preprocessor;
    this.featureOrder = b.featureOrder != null ? List.copyOf(b.featureOrder) : preprocessor.featureNames();
    this.labels = List.copyOf(b.labels);
    this.probabilityOutput = b.probabilityOutput;
    this.inputExample = List.copyOf(b.inputExample);
    this.clock = b.clock;
    this.outputs = b.outputs != null ? List.copyOf(b.outputs)
        : List.of(Signature.Field.tensor(null, "float32", -1, labels.isEmpty() ? -1 : labels.size()));
    if (!new HashSet<>(featureOrder).equals(new HashSet<>(preprocessor.featureNames()))
        || featureOrder.size() != preprocessor.featureNames().size()) {
      throw new IllegalArgumentException("The feature order " + featureOrder + " must be a permutation of the"
          + " preprocessor's features " + preprocessor.featureNames());
    }
    if (!inputExample.isEmpty()) {
      preprocessor.transformRows(inputExample); // an example the model cannot take is a mistake to report now
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The signature written to MLmodel and recorded on the registered version. */
  public Signature signature() {
    List<Signature.Field> inputs = new ArrayList<>();
    for (Preprocessor.Input in : preprocessor.inputs()) {
      inputs.add(new Signature.Field(in.name(), in.kind() == Frame.Kind.NUMERIC ? "double" : "string", null,
          !in.nullable()));
    }
    return new Signature(inputs, outputs);
  }

  public Preprocessor preprocessor() {
    return preprocessor;
  }

  /** Class labels in output order; empty for regressors. */
  public List<String> labels() {
    return labels;
  }

  /** Writes the bundle's files into {@code directory} (created if needed) and returns it. */
  public Path writeTo(Path directory) {
    try {
      Files.createDirectories(directory);
      Files.write(directory.resolve(MODEL_FILE), onnx);
      Files.write(directory.resolve(PREPROCESSOR_FILE), preprocessor.toJson());
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("format", 1);
      meta.put("preprocessor", PREPROCESSOR_FILE);
      meta.put("feature_order", featureOrder);
      if (!labels.isEmpty()) {
        meta.put("labels", labels);
      }
      if (probabilityOutput != null) {
        meta.put("probability_output", probabilityOutput);
      }
      Files.write(directory.resolve(MlModel.FILE),
          MlModel.write(MODEL_FILE, onnx.length, signature(), !inputExample.isEmpty(), meta, clock.instant()));
      if (!inputExample.isEmpty()) {
        Map<String, Object> split = split(inputExample);
        Files.write(directory.resolve(INPUT_EXAMPLE), JSON.writeValueAsBytes(split));
        Files.write(directory.resolve(SERVING_INPUT_EXAMPLE), JSON.writeValueAsBytes(Map.of("dataframe_split", split)));
      }
      Files.writeString(directory.resolve("conda.yaml"), "channels:\n- conda-forge\ndependencies:\n- python=3.11.7\n"
          + "- pip<=24.0\n- pip:\n  - mlflow==" + MlModel.MLFLOW_LAYOUT_VERSION + "\n  - onnx==1.17.0\n"
          + "  - onnxruntime==1.20.1\nname: mlflow-env\n", StandardCharsets.UTF_8);
      Files.writeString(directory.resolve("python_env.yaml"),
          "python: 3.11.7\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n", StandardCharsets.UTF_8);
      Files.writeString(directory.resolve("requirements.txt"),
          "mlflow==" + MlModel.MLFLOW_LAYOUT_VERSION + "\nonnx==1.17.0\nonnxruntime==1.20.1\n", StandardCharsets.UTF_8);
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the model bundle to " + directory, e);
    }
  }

  /** The pandas {@code split} orientation MLflow uses for dataframe examples. */
  private Map<String, Object> split(List<Map<String, ?>> rows) {
    List<String> columns = new ArrayList<>();
    for (Preprocessor.Input in : preprocessor.inputs()) {
      columns.add(in.name());
    }
    List<List<Object>> data = new ArrayList<>();
    for (Map<String, ?> row : rows) {
      List<Object> values = new ArrayList<>();
      for (String c : columns) {
        values.add(row.get(c));
      }
      data.add(values);
    }
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("columns", columns);
    split.put("data", data);
    return split;
  }

  /**
   * Registers the bundle as a new version of {@code name}: its files are the version's artifacts, its
   * signature the version's signature; {@code extra} carries metrics, lineage, semver and tags.
   */
  public ModelVersion register(ModelRegistry registry, String name, Registration.Builder extra) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("modelreg-bundle");
      writeTo(dir);
      return registry.register(name, extra.directory(dir).signature(signature()).build());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stage the model bundle", e);
    } finally {
      if (dir != null) {
        deleteQuietly(dir);
      }
    }
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // a temp directory: the OS cleans up what is left
        }
      });
    } catch (IOException e) {
      // same
    }
  }

  /** Builder for {@link ModelBundle}. */
  public static final class Builder {
    private byte @Nullable [] onnx;
    private @Nullable Preprocessor preprocessor;
    private @Nullable List<String> featureOrder;
    private List<String> labels = List.of();
    private @Nullable String probabilityOutput;
    private List<Map<String, ?>> inputExample = List.of();
    private @Nullable List<Signature.Field> outputs;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The ONNX model file. */
    public Builder onnx(Path file) {
      try {
        return onnx(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new IllegalArgumentException("Cannot read the ONNX model " + file + ": " + e, e);
      }
    }

    /** The ONNX model bytes. */
    public Builder onnx(byte[] bytes) {
      if (bytes.length == 0) {
        throw new IllegalArgumentException("The ONNX model is empty");
      }
      this.onnx = bytes.clone();
      return this;
    }

    /** The fitted preprocessor; its inputs become the signature's inputs. */
    public Builder preprocessor(Preprocessor preprocessor) {
      this.preprocessor = preprocessor;
      return this;
    }

    /**
     * The order in which the model's input takes the preprocessor's features (Tribuo, for one, sorts
     * features by name). Default: the preprocessor's own order.
     */
    public Builder featureOrder(List<String> order) {
      this.featureOrder = List.copyOf(order);
      return this;
    }

    /** Class labels in the order of the model's probability output. */
    public Builder labels(List<String> labels) {
      this.labels = List.copyOf(labels);
      return this;
    }

    /** The name of the output holding class probabilities, when it is not the first output. */
    public Builder probabilityOutput(String name) {
      this.probabilityOutput = name;
      return this;
    }

    /** Example input rows, written as MLflow's input example. */
    public Builder inputExample(List<? extends Map<String, ?>> rows) {
      this.inputExample = List.copyOf(rows);
      return this;
    }

    /** The model outputs for the signature; default one float32 tensor {@code [-1, labels]}. */
    public Builder outputs(List<Signature.Field> outputs) {
      this.outputs = List.copyOf(outputs);
      return this;
    }

    /**
     * The clock whose time {@link #writeTo} records as the MLmodel's {@code utc_time_created}, as MLflow does
     * when it saves a model; default the system clock in UTC.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the bundle.
     *
     * @throws IllegalStateException without a model or a preprocessor
     * @throws IllegalArgumentException when the feature order or the input example does not fit
     */
    public ModelBundle build() {
      byte[] model = onnx;
      Preprocessor p = preprocessor;
      if (model == null || p == null) {
        throw new IllegalStateException("A bundle needs an ONNX model and a preprocessor (Preprocessor.identity for raw"
            + " features)");
      }
      return new ModelBundle(this, model, p);
    }
  }
}

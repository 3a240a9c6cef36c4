package io.modelreg.inference;

import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.ModelVersion;
import io.modelreg.Signature;
import io.modelreg.inference.preprocess.Preprocessor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Predicts with one model version. {@link #load} resolves a URI once to an immutable version (an alias
 * that moves later does not change this predictor), fetches its bundle into the local cache verifying
 * every digest, and loads the model, the preprocessor and the signature from that one version.
 *
 * <pre>{@code
 * try (ModelPredictor predictor = ModelPredictor.load(registry, "models:/churn@production")) {
 *   Map<String, Float> p = predictor.predictProba(Map.of("age", 42.0, "plan", "pro"));
 * }
 * }</pre>
 *
 * Thread-safe: many threads may call it at once. Inputs are checked against the bundle's input columns;
 * one {@link io.modelreg.inference.preprocess.InvalidInputException} names every missing, extra,
 * mistyped or missing-without-imputer value. A batch is one model call.
 */
public final class ModelPredictor implements AutoCloseable {
  private final @Nullable ModelVersion version;
  private final Bundle bundle;
  private final OnnxModel model;
  private final int[] permutation;
  private final int features;
  private final boolean fromCache;
  private final String subject;

  private ModelPredictor(@Nullable ModelVersion version, Bundle bundle, OnnxModel model, boolean fromCache, String subject) {
    this.version = version;
    this.bundle = bundle;
    this.model = model;
    this.fromCache = fromCache;
    this.subject = subject;
    Preprocessor p = bundle.preprocessor;
    if (p != null) {
      List<String> produced = p.featureNames();
      permutation = new int[produced.size()];
      boolean identity = true;
      for (int i = 0; i < permutation.length; i++) {
        permutation[i] = produced.indexOf(bundle.featureOrder.get(i));
        identity &= permutation[i] == i;
      }
      features = produced.size();
      if (identity) {
        java.util.Arrays.fill(permutation, -1);
      }
    } else {
      permutation = new int[0];
      features = tensorWidth(bundle.signature);
    }
  }

  private static int tensorWidth(@Nullable Signature signature) {
    if (signature != null && !signature.inputs().isEmpty() && signature.inputs().get(0).isTensor()) {
      List<Long> shape = signature.inputs().get(0).shape();
      if (shape != null && shape.size() == 2 && shape.get(1) > 0) {
        return (int) (long) shape.get(1);
      }
    }
    return -1;
  }

  /** Loads {@code uri} from {@code registry} with default options. */
  public static ModelPredictor load(ModelRegistry registry, String uri) {
    return load(registry, ModelUri.parse(uri), PredictorOptions.defaults());
  }

  /**
   * Loads the version {@code uri} names now.
   *
   * @throws io.modelreg.NotFoundException when nothing matches the URI
   * @throws io.modelreg.IntegrityException when downloaded bytes do not match their digests
   * @throws InvalidBundleException when the version is not a loadable bundle
   */
  public static ModelPredictor load(ModelRegistry registry, ModelUri uri, PredictorOptions options) {
    ModelVersion version = registry.resolve(uri);
    String subject = version.uri() + (uri.isImmutable() ? "" : " (resolved from " + uri + ")");
    LocalCache.Entry entry = LocalCache.fetch(registry, version, options.cacheDirectory());
    Bundle bundle = Bundle.read(entry.directory(), subject);
    return new ModelPredictor(version, bundle, OnnxModel.load(bundle.modelFile, subject, options.cacheDirectory(), options.executionProvider()),
        entry.hit(), subject);
  }

  /** Loads a model directory from disk, such as one Python MLflow logged with the onnx flavor. */
  public static ModelPredictor open(Path bundleDirectory) {
    return open(bundleDirectory, PredictorOptions.defaults());
  }

  /** Loads a model directory from disk with {@code options} (the cache holds ONNX Runtime's libraries). */
  public static ModelPredictor open(Path bundleDirectory, PredictorOptions options) {
    String subject = bundleDirectory.toString();
    Bundle bundle = Bundle.read(bundleDirectory, subject);
    return new ModelPredictor(null, bundle,
        OnnxModel.load(bundle.modelFile, subject, options.cacheDirectory(), options.executionProvider()), false,
        subject);
  }

  /** The version this predictor serves; empty for a directory opened with {@link #open}. */
  public Optional<ModelVersion> version() {
    return Optional.ofNullable(version);
  }

  /** Whether the bundle came from the local cache without a download. */
  public boolean loadedFromCache() {
    return fromCache;
  }

  /** The input columns, or empty for a model that takes raw features only. */
  public List<Preprocessor.Input> inputs() {
    Preprocessor p = bundle.preprocessor;
    return p == null ? List.of() : p.inputs();
  }

  /** The signature from MLmodel, if the bundle has one. */
  public Optional<Signature> signature() {
    return Optional.ofNullable(bundle.signature);
  }

  /** Class labels in output order; empty for regressors. */
  public List<String> labels() {
    return bundle.labels;
  }

  // ------------------------------------------------------------------ prediction

  /**
   * Runs one prediction on zeros so that ONNX Runtime allocates its buffers and compiles its kernels before
   * the first real request; a no-op when the feature count is unknown.
   */
  public void warmUp() {
    if (features > 0) {
      model.run(new OnnxModel.Batch(new float[features], 1, features));
    }
  }

  /** The first output for one row. */
  public float[] predict(Map<String, ?> row) {
    return predictBatch(List.of(row))[0];
  }

  /** The first output for one record (its components are the columns). */
  public float[] predict(Record row) {
    return predict(columns(row));
  }

  /** The first output for each row, in one model call. */
  public float[][] predictBatch(List<? extends Map<String, ?>> rows) {
    OnnxModel.Outputs out = run(rows);
    return split(out, 0, rows.size());
  }

  /** The first output for already-preprocessed features, in the model's feature order. */
  public float[] predictFeatures(float[] features) {
    if (this.features > 0 && features.length != this.features) {
      throw new IllegalArgumentException(subject + " takes " + this.features + " features, got " + features.length);
    }
    OnnxModel.Outputs out = model.run(new OnnxModel.Batch(features.clone(), 1, features.length));
    return out.values().get(0);
  }

  /**
   * The first output for {@code rows} rows of already-preprocessed features, row-major, in one model call.
   */
  public float[][] predictFeaturesBatch(float[] rowMajor, int rows) {
    if (rows < 1 || rowMajor.length % rows != 0) {
      throw new IllegalArgumentException(rowMajor.length + " values do not make " + rows + " rows of features");
    }
    int width = rowMajor.length / rows;
    if (this.features > 0 && width != this.features) {
      throw new IllegalArgumentException(subject + " takes " + this.features + " features, got " + width + " per row");
    }
    return split(model.run(new OnnxModel.Batch(rowMajor, rows, width)), 0, rows);
  }

  /**
   * Class probabilities of one row by label.
   *
   * @throws IllegalStateException when the bundle has no labels or the output does not have one value per label
   */
  public Map<String, Float> predictProba(Map<String, ?> row) {
    return predictProbaBatch(List.of(row)).get(0);
  }

  /** Class probabilities of each row, in one model call. */
  public List<Map<String, Float>> predictProbaBatch(List<? extends Map<String, ?>> rows) {
    List<String> labels = bundle.labels;
    if (labels.isEmpty()) {
      throw new IllegalStateException(subject + " has no class labels; register it with ModelBundle.Builder.labels");
    }
    OnnxModel.Outputs out = run(rows);
    String name = bundle.probabilityOutput;
    float[][] probs = split(out, name == null ? 0 : out.index(name), rows.size());
    List<Map<String, Float>> result = new ArrayList<>();
    for (float[] p : probs) {
      if (p.length != labels.size()) {
        throw new IllegalStateException(subject + ": the probability output has " + p.length + " values per row but"
            + " there are " + labels.size() + " labels " + labels);
      }
      Map<String, Float> m = new LinkedHashMap<>();
      for (int i = 0; i < p.length; i++) {
        m.put(labels.get(i), p[i]);
      }
      result.add(Collections.unmodifiableMap(m));
    }
    return result;
  }

  /** The most probable label of one row. */
  public String predictLabel(Map<String, ?> row) {
    Map<String, Float> p = predictProba(row);
    String best = null;
    float max = Float.NEGATIVE_INFINITY;
    for (Map.Entry<String, Float> e : p.entrySet()) {
      if (e.getValue() > max) {
        max = e.getValue();
        best = e.getKey();
      }
    }
    return java.util.Objects.requireNonNull(best);
  }

  private OnnxModel.Outputs run(List<? extends Map<String, ?>> rows) {
    Preprocessor p = bundle.preprocessor;
    if (p == null) {
      throw new IllegalStateException(subject + " has a tensor signature and no preprocessor: call predictFeatures");
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("Nothing to predict: the batch is empty");
    }
    float[] data = p.transformRows(rows);
    if (permutation.length > 0 && permutation[0] >= 0) {
      float[] ordered = new float[data.length];
      for (int r = 0; r < rows.size(); r++) {
        int base = r * features;
        for (int j = 0; j < features; j++) {
          ordered[base + j] = data[base + permutation[j]];
        }
      }
      data = ordered;
    }
    return model.run(new OnnxModel.Batch(data, rows.size(), features));
  }

  private static float[][] split(OnnxModel.Outputs out, int index, int rows) {
    float[] flat = out.values().get(index);
    int width = flat.length / rows;
    float[][] result = new float[rows][];
    for (int r = 0; r < rows; r++) {
      result[r] = java.util.Arrays.copyOfRange(flat, r * width, (r + 1) * width);
    }
    return result;
  }

  /** A public record's components as columns, read through its accessors only. */
  static Map<String, Object> columns(Record row) {
    Class<?> type = row.getClass();
    if (!Modifier.isPublic(type.getModifiers())) {
      throw new IllegalArgumentException("Records passed as input must be public; " + type.getName() + " is not");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : type.getRecordComponents()) {
      try {
        out.put(c.getName(), c.getAccessor().invoke(row));
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalArgumentException("Cannot read component '" + c.getName() + "' of " + type.getName() + ": " + e, e);
      }
    }
    return out;
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "ModelPredictor{" + subject + ", inputs=" + inputs().size() + ", labels=" + bundle.labels + "}";
  }
}

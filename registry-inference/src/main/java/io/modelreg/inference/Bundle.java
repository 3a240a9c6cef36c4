package io.modelreg.inference;

import io.modelreg.Signature;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A model directory read back: written by {@link ModelBundle}, or logged by Python MLflow with the onnx
 * flavor (then without a preprocessor: a column-based signature of numeric columns becomes the inputs, a
 * tensor signature means features are passed as they are).
 */
final class Bundle {
  private static final Set<String> NUMERIC_COLUMN_TYPES = Set.of("double", "float", "long", "integer");

  final Path modelFile;
  final @Nullable Preprocessor preprocessor;
  final @Nullable Signature signature;
  final List<String> featureOrder;
  final List<String> labels;
  final @Nullable String probabilityOutput;

  private Bundle(Path modelFile, @Nullable Preprocessor preprocessor, @Nullable Signature signature,
      List<String> featureOrder, List<String> labels, @Nullable String probabilityOutput) {
    this.modelFile = modelFile;
    this.preprocessor = preprocessor;
    this.signature = signature;
    this.featureOrder = featureOrder;
    this.labels = labels;
    this.probabilityOutput = probabilityOutput;
  }

  /**
   * Reads the bundle in {@code dir}.
   *
   * @param subject names the version or directory in errors
   * @throws InvalidBundleException when MLmodel is missing or unusable, the model file is missing, or the
   *     preprocessor does not match the feature order
   */
  static Bundle read(Path dir, String subject) {
    Path mlmodel = dir.resolve(MlModel.FILE);
    byte[] yaml;
    try {
      yaml = Files.readAllBytes(mlmodel);
    } catch (NoSuchFileException e) {
      throw new InvalidBundleException(subject + " is not a model bundle: it has no MLmodel file (an MLflow model"
          + " directory needs one; write bundles with ModelBundle)", e);
    } catch (IOException e) {
      throw new InvalidBundleException("Cannot read " + mlmodel + ": " + e, e);
    }
    MlModel.Parsed parsed = MlModel.read(yaml, subject + " MLmodel");
    Path model = dir.resolve(parsed.modelFile()).normalize();
    if (!model.startsWith(dir.normalize()) || !Files.isRegularFile(model)) {
      throw new InvalidBundleException(subject + ": MLmodel names the model file '" + parsed.modelFile()
          + "', which the bundle does not contain", null);
    }
    Preprocessor preprocessor = null;
    String file = parsed.preprocessorFile();
    if (file == null && Files.isRegularFile(dir.resolve(ModelBundle.PREPROCESSOR_FILE))) {
      file = ModelBundle.PREPROCESSOR_FILE;
    }
    if (file != null) {
      Path p = dir.resolve(file).normalize();
      if (!p.startsWith(dir.normalize())) {
        throw new InvalidBundleException(subject + ": the preprocessor path '" + file + "' leaves the bundle", null);
      }
      try {
        preprocessor = Preprocessor.fromJson(Files.readAllBytes(p), subject + " " + file);
      } catch (IOException e) {
        throw new InvalidBundleException("Cannot read " + p + ": " + e, e);
      } catch (IllegalArgumentException e) {
        throw new InvalidBundleException(String.valueOf(e.getMessage()), e);
      }
    } else if (parsed.signature() != null && !parsed.signature().inputs().isEmpty()
        && !parsed.signature().inputs().get(0).isTensor()) {
      List<String> columns = new ArrayList<>();
      for (Signature.Field f : parsed.signature().inputs()) {
        if (!NUMERIC_COLUMN_TYPES.contains(f.type())) {
          throw new InvalidBundleException(subject + ": input column '" + f.name() + "' has type " + f.type()
              + "; without a preprocessor only numeric columns can be fed to the model", null);
        }
        columns.add(String.valueOf(f.name()));
      }
      preprocessor = Preprocessor.identity(columns);
    }
    List<String> order = parsed.featureOrder();
    if (preprocessor != null) {
      if (order.isEmpty()) {
        order = preprocessor.featureNames();
      } else if (!Set.copyOf(order).equals(Set.copyOf(preprocessor.featureNames()))) {
        throw new InvalidBundleException(subject + ": the feature order " + order + " does not match the"
            + " preprocessor's features " + preprocessor.featureNames(), null);
      }
    }
    return new Bundle(model, preprocessor, parsed.signature(), List.copyOf(order), parsed.labels(),
        parsed.probabilityOutput());
  }
}

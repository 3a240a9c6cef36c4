package io.modelreg.inference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.modelreg.Signature;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The {@code MLmodel} descriptor of an MLflow model directory, in the shape MLflow 3.1 writes for an ONNX
 * model: flavors {@code onnx} and {@code python_function}, a signature whose inputs and outputs are JSON
 * strings, the input example info, and our own facts under {@code metadata.modelreg}. Reading accepts
 * column- and tensor-based signatures and ignores keys it does not know.
 */
final class MlModel {
  static final String FILE = "MLmodel";
  static final String MLFLOW_LAYOUT_VERSION = "3.1.0";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What a loader needs from an MLmodel file.
   *
   * @param modelFile the ONNX file name, from {@code flavors.onnx.data}
   * @param signature the signature, or null when the model was logged without one
   * @param preprocessorFile our preprocessor file, if the bundle has one
   * @param labels class labels in output order, empty for regressors and unknown models
   * @param featureOrder feature names in the order the model input takes them, empty when unknown
   * @param probabilityOutput the output holding class probabilities, or null for the first output
   */
  record Parsed(String modelFile, @Nullable Signature signature, @Nullable String preprocessorFile, List<String> labels,
      List<String> featureOrder, @Nullable String probabilityOutput) {}

  private MlModel() {}

  /** The MLmodel descriptor; {@code created} becomes {@code utc_time_created}. */
  static byte[] write(String modelFile, long modelSizeBytes, Signature signature, boolean hasExample,
      Map<String, Object> modelregMetadata, Instant created) {
    Map<String, Object> onnx = new LinkedHashMap<>();
    onnx.put("code", null);
    onnx.put("data", modelFile);
    onnx.put("onnx_session_options", null);
    onnx.put("onnx_version", "1.17.0");
    onnx.put("providers", List.of("CPUExecutionProvider"));
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("conda", "conda.yaml");
    env.put("virtualenv", "python_env.yaml");
    Map<String, Object> pyfunc = new LinkedHashMap<>();
    pyfunc.put("data", modelFile);
    pyfunc.put("env", env);
    pyfunc.put("loader_module", "mlflow.onnx");
    pyfunc.put("python_version", "3.11.7");
    Map<String, Object> flavors = new LinkedHashMap<>();
    flavors.put("onnx", onnx);
    flavors.put("python_function", pyfunc);

    Map<String, Object> o = new LinkedHashMap<>();
    o.put("flavors", flavors);
    o.put("mlflow_version", MLFLOW_LAYOUT_VERSION);
    o.put("model_size_bytes", modelSizeBytes);
    o.put("model_uuid", UUID.randomUUID().toString().replace("-", ""));
    o.put("utc_time_created",
        LocalDateTime.ofInstant(created, ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)));
    if (hasExample) {
      Map<String, Object> example = new LinkedHashMap<>();
      example.put("artifact_path", ModelBundle.INPUT_EXAMPLE);
      example.put("pandas_orient", "split");
      example.put("serving_input_path", ModelBundle.SERVING_INPUT_EXAMPLE);
      example.put("type", "dataframe");
      o.put("saved_input_example_info", example);
    }
    Map<String, Object> sig = new LinkedHashMap<>();
    sig.put("inputs", json(fields(signature.inputs())));
    sig.put("outputs", json(fields(signature.outputs())));
    sig.put("params", null);
    o.put("signature", sig);
    o.put("metadata", Map.of("modelreg", modelregMetadata));
    try {
      return YAML.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Object> fields(List<Signature.Field> fields) {
    List<Object> out = new ArrayList<>();
    for (Signature.Field f : fields) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (f.isTensor()) {
        m.put("type", "tensor");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("dtype", f.type());
        spec.put("shape", f.shape());
        m.put("tensor-spec", spec);
        if (f.name() != null) {
          m.put("name", f.name());
        }
      } else {
        m.put("type", f.type());
        m.put("name", f.name());
        m.put("required", f.required());
      }
      out.add(m);
    }
    return out;
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Parsed read(byte[] yaml, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new InvalidBundleException(source + " is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidBundleException(source + " is empty or not a YAML mapping", null);
    }
    JsonNode flavors = root.path("flavors");
    JsonNode onnx = flavors.path("onnx");
    if (!onnx.isObject()) {
      List<String> names = new ArrayList<>();
      flavors.fieldNames().forEachRemaining(names::add);
      throw new InvalidBundleException(source + " has flavors " + names + "; ModelPredictor needs the onnx flavor", null);
    }
    String data = onnx.path("data").asText("");
    if (data.isEmpty()) {
      throw new InvalidBundleException(source + ": flavors.onnx.data does not name the model file", null);
    }
    Signature signature = null;
    JsonNode sig = root.path("signature");
    if (sig.isObject() && sig.path("inputs").isTextual()) {
      signature = new Signature(signatureFields(sig.path("inputs").asText(), source),
          sig.path("outputs").isTextual() ? signatureFields(sig.path("outputs").asText(), source) : List.of());
    }
    JsonNode meta = root.path("metadata").path("modelreg");
    return new Parsed(data, signature, meta.path("preprocessor").isTextual() ? meta.path("preprocessor").asText() : null,
        strings(meta.path("labels")), strings(meta.path("feature_order")),
        meta.path("probability_output").isTextual() ? meta.path("probability_output").asText() : null);
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static List<Signature.Field> signatureFields(String text, String source) {
    JsonNode list;
    try {
      list = JSON.readTree(text);
    } catch (IOException e) {
      throw new InvalidBundleException(source + ": the signature is not valid JSON: " + e.getMessage(), e);
    }
    List<Signature.Field> out = new ArrayList<>();
    if (list == null || !list.isArray()) {
      throw new InvalidBundleException(source + ": the signature must be a JSON array", null);
    }
    for (JsonNode f : list) {
      String type = f.path("type").asText("");
      String name = f.path("name").isTextual() ? f.path("name").asText() : null;
      if (type.equals("tensor")) {
        JsonNode spec = f.path("tensor-spec");
        List<Long> shape = new ArrayList<>();
        spec.path("shape").forEach(d -> shape.add(d.asLong()));
        out.add(new Signature.Field(name, spec.path("dtype").asText("float32"), shape, true));
      } else if (!type.isEmpty()) {
        out.add(new Signature.Field(name, type, null, f.path("required").asBoolean(true)));
      } else {
        throw new InvalidBundleException(source + ": a signature field has no type: " + f, null);
      }
    }
    return out;
  }
}

package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.ArtifactEntry;
import io.modelreg.Digest;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.VerificationReport;
import io.modelreg.VersionStatus;
import io.modelreg.prompts.MlflowIncompatibleTemplateException;
import io.modelreg.prompts.PromptRegistry;
import io.modelreg.prompts.PromptTemplate;
import io.modelreg.prompts.PromptVersion;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python's own MLflow client against what Java wrote, and the reverse — opt-in, because it needs a real
 * server and a Python with {@code mlflow} installed: set {@code MODELREG_IT_MLFLOW_URI} (a throwaway server)
 * and {@code MODELREG_IT_PYTHON} (that Python's executable). Each test uses fresh model names.
 */
@EnabledIfEnvironmentVariable(named = "MODELREG_IT_MLFLOW_URI", matches = ".+")
@EnabledIfEnvironmentVariable(named = "MODELREG_IT_PYTHON", matches = ".+")
class PythonMlflowInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String server = System.getenv("MODELREG_IT_MLFLOW_URI").trim();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  /** Runs a Python snippet with the tracking URI set; returns the JSON it printed last. */
  private JsonNode python(String script) throws Exception {
    List<String> command = new ArrayList<>(List.of(System.getenv("MODELREG_IT_PYTHON").trim(), "-c", script));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("MLFLOW_TRACKING_URI", server);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    String[] lines = out.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  @Test
  void pythonDownloadsWhatJavaRegisteredByteForByte(@TempDir Path dir) throws Exception {
    String name = "interop-java-" + suffix;
    try (ModelRegistry registry = ModelRegistries.open(server)) {
      ModelVersion v = registry.register(name, Registration.builder()
          .bytes("model.bin", "weights".getBytes(StandardCharsets.UTF_8))
          .bytes("conf/settings.json", "{\"depth\": 3}".getBytes(StandardCharsets.UTF_8)).build());
      JsonNode hashes = python(String.join("\n",
          "import hashlib, json, os, mlflow",
          "root = mlflow.artifacts.download_artifacts(artifact_uri='models:/" + name + "/" + v.number() + "', dst_path='"
              + dir.toString().replace("\\", "/") + "')",
          "out = {}",
          "for d, _, files in os.walk(root):",
          "    for f in files:",
          "        p = os.path.join(d, f)",
          "        out[os.path.relpath(p, root).replace(os.sep, '/')] = hashlib.sha256(open(p, 'rb').read()).hexdigest()",
          "print(json.dumps(out))"));
      for (ArtifactEntry e : v.manifest().files()) {
        assertThat(hashes.path(e.path()).asText()).as(e.path()).isEqualTo(e.digest().hex());
      }
    }
  }

  @Test
  void javaAdoptsResolvesAndVerifiesAModelPythonLogged() throws Exception {
    String name = "interop-python-" + suffix;
    // MLflow 3: log_model makes a logged model (source models:/<id>) and registers it
    JsonNode logged = python(String.join("\n",
        "import hashlib, json, os, tempfile, mlflow, mlflow.sklearn",
        "from sklearn.linear_model import LogisticRegression",
        "model = LogisticRegression().fit([[0.0, 1.0], [1.0, 0.0], [0.5, 0.2], [0.1, 0.9]], [0, 1, 1, 0])",
        "with mlflow.start_run() as run:",
        "    mlflow.log_param('C', '1.0')",
        "    mlflow.log_metric('accuracy', 0.75)",
        "    info = mlflow.sklearn.log_model(model, name='model', registered_model_name='" + name + "')",
        "mv = mlflow.MlflowClient().get_model_version('" + name + "', info.registered_model_version)",
        "root = mlflow.artifacts.download_artifacts(artifact_uri=f'models:/" + name + "/{mv.version}', dst_path=tempfile.mkdtemp())",
        "files = {}",
        "for d, _, names in os.walk(root):",
        "    for f in names:",
        "        p = os.path.join(d, f)",
        "        files[os.path.relpath(p, root).replace(os.sep, '/')] = hashlib.sha256(open(p, 'rb').read()).hexdigest()",
        // written by the Python client into what it downloads from models:/name/N; never stored on the server
        "files.pop('registered_model_meta', None)",
        "print(json.dumps({'version': int(mv.version), 'source': mv.source, 'run_id': run.info.run_id, 'files': files}))"));
    int version = logged.path("version").asInt();
    assertThat(logged.path("source").asText()).startsWith("models:/m-");
    try (ModelRegistry registry = ModelRegistries.open(server)) {
      assertThat(registry.getVersion(name, version).status()).as("not ours until adopted").isEqualTo(VersionStatus.PENDING);
    }
    ModelVersion adopted = MlflowRegistries.adopt(server, name, version, RegistryOptions.defaults());
    assertThat(adopted.status()).isEqualTo(VersionStatus.READY);
    assertThat(adopted.params()).containsEntry("C", "1.0");
    assertThat(adopted.metrics()).containsEntry("accuracy", 0.75);
    assertThat(adopted.lineage().runId()).isEqualTo(logged.path("run_id").asText());
    Map<String, String> pythonFiles = new TreeMap<>();
    logged.path("files").fields().forEachRemaining(e -> pythonFiles.put(e.getKey(), e.getValue().asText()));
    assertThat(pythonFiles).containsKeys("MLmodel", "model.pkl");
    try (ModelRegistry registry = ModelRegistries.open(server)) {
      ModelVersion resolved = registry.resolve("models:/" + name + "/latest");
      assertThat(resolved.number()).isEqualTo(version);
      Map<String, String> javaFiles = new TreeMap<>();
      for (ArtifactEntry e : resolved.manifest().files()) {
        javaFiles.put(e.path(), e.digest().hex());
        try (InputStream in = registry.openArtifact(resolved, e.path())) {
          assertThat(Digest.of(in.readAllBytes()).hex()).as(e.path()).isEqualTo(e.digest().hex());
        }
      }
      assertThat(javaFiles).isEqualTo(pythonFiles);
      VerificationReport report = registry.verify();
      assertThat(report.problems()).noneMatch(p -> p.contains(name));
    }
  }

  /** Templates as Python users write them, each with the values it is rendered with. */
  private static final List<Map.Entry<String, Map<String, Object>>> PYTHON_TEMPLATES = List.of(
      Map.entry("Hi {{user}}, welcome!", Map.of("user", "Ada")),
      Map.entry("Summarize {{ text }} in {{ n }} words.\nTone: {{tone}}", Map.of("text", "the report", "n", 50, "tone", "dry")),
      Map.entry("Dear {{ user.name }}, JSON please: {\"ok\": {{ ok }}} {{ not-a-var }} {{ open",
          Map.of("user.name", "Grace", "ok", true)),
      Map.entry("Grüße {{ name }} \uD83D\uDC4B {{{ name }}}", Map.of("name", "Jürgen")));

  @Test
  void pythonRegisteredPromptsLoadAndRenderInJavaAsPythonRendersThem() throws Exception {
    String prefix = "interop-pyprompt-" + suffix + "-";
    List<String> registration = new ArrayList<>(List.of("import json, mlflow", "out = []"));
    for (int i = 0; i < PYTHON_TEMPLATES.size(); i++) {
      var t = PYTHON_TEMPLATES.get(i);
      registration.add("p = mlflow.genai.register_prompt(name='" + prefix + i + "', template=" + JSON.writeValueAsString(t.getKey())
          + ", commit_message='from python')");
      registration.add("mlflow.genai.set_prompt_alias('" + prefix + i + "', alias='champion', version=p.version)");
      registration.add("out.append(mlflow.genai.load_prompt('prompts:/" + prefix + i + "/1').format(**json.loads("
          + JSON.writeValueAsString(JSON.writeValueAsString(t.getValue())) + ")))");
    }
    registration.add("print(json.dumps(out))");
    JsonNode pythonRendered = python(String.join("\n", registration));
    try (ModelRegistry registry = ModelRegistries.open(server)) {
      PromptRegistry prompts = PromptRegistry.on(registry);
      for (int i = 0; i < PYTHON_TEMPLATES.size(); i++) {
        PromptVersion v = prompts.load("prompts:/" + prefix + i + "/1");
        assertThat(v.template().text()).isEqualTo(PYTHON_TEMPLATES.get(i).getKey());
        assertThat(v.message()).isEqualTo("from python");
        assertThat(v.render(PYTHON_TEMPLATES.get(i).getValue())).as(v.template().text())
            .isEqualTo(pythonRendered.get(i).asText());
        assertThat(prompts.load("prompts:/" + prefix + i + "@champion").number()).isEqualTo(1);
        assertThat(prompts.load("prompts:/" + prefix + i + "/latest").number()).isEqualTo(1);
      }
    }
  }

  /** Templates as Java users write them (str.format fields MLflow can render, or MLflow's own syntax). */
  private static final List<Map.Entry<PromptTemplate, Map<String, Object>>> JAVA_TEMPLATES = List.of(
      Map.entry(PromptTemplate.parse("Hello {name}!"), Map.of("name", "Ada")),
      Map.entry(PromptTemplate.parse("Hello {name}, welcome to {place}!\nSet {{ braces }} and {{{name}}}"),
          Map.of("name", "Ada", "place", "Lovelace Hall")),
      Map.entry(PromptTemplate.parse("{count} items, {ratio} done, {flag} {nothing}"),
          Map.of("count", 3, "ratio", 0.25, "flag", false, "nothing", "None")),
      Map.entry(PromptTemplate.parse("Answer {{ question }} as JSON: {\"a\": 1}", PromptTemplate.Syntax.MLFLOW),
          Map.of("question", "why?")));

  @Test
  void javaRegisteredPromptsRenderInPythonAsInJava() throws Exception {
    String prefix = "interop-jprompt-" + suffix + "-";
    List<String> javaRendered = new ArrayList<>();
    List<String> load = new ArrayList<>(List.of("import json, mlflow", "out = []"));
    try (ModelRegistry registry = ModelRegistries.open(server)) {
      PromptRegistry prompts = PromptRegistry.on(registry);
      for (int i = 0; i < JAVA_TEMPLATES.size(); i++) {
        var t = JAVA_TEMPLATES.get(i);
        prompts.register(prefix + i, t.getKey(), "1.0.0", "from java", null);
        javaRendered.add(prompts.load("prompts:/" + prefix + i + "/1").render(t.getValue()));
        load.add("out.append(mlflow.genai.load_prompt('prompts:/" + prefix + i + "/1').format(**json.loads("
            + JSON.writeValueAsString(JSON.writeValueAsString(t.getValue())) + ")))");
      }
    }
    load.add("print(json.dumps(out))");
    JsonNode pythonRendered = python(String.join("\n", load));
    for (int i = 0; i < JAVA_TEMPLATES.size(); i++) {
      assertThat(pythonRendered.get(i).asText()).as(JAVA_TEMPLATES.get(i).getKey().text()).isEqualTo(javaRendered.get(i));
    }
  }

  @Test
  void aTemplatePythonCannotRenderIsRefusedOrMarkedSoPythonFailsLoudly() throws Exception {
    String name = "interop-javaonly-" + suffix;
    PromptTemplate template = PromptTemplate.parse("Hello {name}, you have {n:d} new {kind}!");
    try (ModelRegistry registry = ModelRegistries.open(server)) {
      PromptRegistry prompts = PromptRegistry.on(registry);
      assertThatThrownBy(() -> prompts.register(name, template, "1.0.0", "first", null))
          .isInstanceOf(MlflowIncompatibleTemplateException.class)
          .hasMessageContaining("format spec ':d' in {n:d} at line 1, column 24");
      assertThat(registry.findModel(name)).isEmpty();
      prompts.registerJavaOnly(name, template, "1.0.0", "first", "counts are formatted by the JVM service");
      assertThat(prompts.load("prompts:/" + name + "/1").render(Map.of("name", "Ada", "n", 3, "kind", "mails")))
          .isEqualTo("Hello Ada, you have 3 new mails!");
    }
    JsonNode python = python(String.join("\n",
        "import json, mlflow",
        "p = mlflow.genai.load_prompt('prompts:/" + name + "/1')",
        "try:",
        "    text, error = p.format(name='Ada', n=3, kind='mails'), None",
        "except Exception as e:",
        "    text, error = None, str(e)",
        "print(json.dumps({'text': text, 'error': error, 'why': p.tags.get('prompt.java_only')}))"));
    assertThat(python.path("text").isNull()).as("never silently unrendered").isTrue();
    assertThat(python.path("error").asText()).contains("java_only_prompt.see_tag.prompt.java_only");
    assertThat(python.path("why").asText()).startsWith("counts are formatted by the JVM service")
        .contains("format spec ':d' in {n:d} at line 1, column 24");
  }
}

package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelreg.ArtifactEntry;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.prompts.PromptRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
  void pythonLoadsAPromptJavaRegistered() throws Exception {
    String name = "interop-prompt-" + suffix;
    try (ModelRegistry registry = ModelRegistries.open(server)) {
      PromptRegistry.on(registry).register(name, "Hello {name}!", "1.0.0", "first");
      JsonNode loaded = python(String.join("\n",
          "import json, mlflow",
          "p = mlflow.genai.load_prompt('prompts:/" + name + "/1')",
          "print(json.dumps({'template': p.template, 'text': p.format(name='Ada')}))"));
      assertThat(loaded.path("text").asText()).isEqualTo("Hello Ada!");
    }
  }

  @Test
  void javaAdoptsAndReadsWhatPythonRegistered() throws Exception {
    String name = "interop-python-" + suffix;
    JsonNode registered = python(String.join("\n",
        "import json, mlflow",
        "with mlflow.start_run() as run:",
        "    mlflow.log_param('alpha', '0.5')",
        "    mlflow.log_text('hello from python', 'model/notes.txt')",
        "mv = mlflow.register_model(f'runs:/{run.info.run_id}/model', '" + name + "')",
        "print(json.dumps({'version': int(mv.version)}))"));
    int version = registered.path("version").asInt();
    ModelVersion adopted = MlflowRegistries.adopt(server, name, version, RegistryOptions.defaults());
    assertThat(adopted.params()).containsEntry("alpha", "0.5");
    try (ModelRegistry registry = ModelRegistries.open(server);
        InputStream in = registry.openArtifact(registry.getVersion(name, version), "notes.txt")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello from python");
    }
  }
}

package io.modelreg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Ticker;
import io.modelreg.mlflow.FakeMlflowServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelregCliTest {
  static final Instant T0 = Instant.parse("2030-04-05T06:07:08Z");
  @TempDir Path dir;
  private final Map<String, String> env = new HashMap<>();

  /** One run: exit code, stdout and stderr. */
  record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return Views.JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError(out, e);
      }
    }
  }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ModelregCli.run(env, Clock.fixed(T0, ZoneOffset.UTC), Ticker.system(), new PrintWriter(out),
        new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void registry() {
    env.put("MODELREG_URI", dir.resolve("registry").toUri().toString());
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void registerPromoteAliasAndReadBackWithJson() throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "w");
    Files.writeString(model.resolve("MLmodel"), "flavors: {}");
    Run reg = run("register", "churn", model.toString(), "--semver", "1.0.0", "--metric", "accuracy=0.91",
        "--tag", "team=ml", "--param", "lr=0.1", "--run-id", "r1", "--no-git", "--json");
    assertThat(reg.code()).isZero();
    assertThat(reg.json().path("uri").asText()).isEqualTo("models:/churn/1");
    assertThat(reg.json().path("files")).hasSize(2);
    assertThat(run("promote", "churn", "1", "staging").code()).isZero();
    assertThat(run("promote", "churn", "1", "production").out()).contains("PRODUCTION");
    assertThat(run("alias", "set", "churn", "champion", "1").code()).isZero();
    Run show = run("versions", "show", "models:/churn@champion", "--json");
    assertThat(show.json().path("stage").asText()).isEqualTo("PRODUCTION");
    assertThat(show.json().path("metrics").path("accuracy").asDouble()).isEqualTo(0.91);
    assertThat(show.json().path("lineage").path("run_id").asText()).isEqualTo("r1");
    Run search = run("versions", "search", "tags.team = 'ml' AND metrics.accuracy > 0.9", "--json");
    assertThat(search.json()).hasSize(1);
    assertThat(run("tag", "churn", "owner=ada").out()).contains("owner=ada");
    assertThat(run("metrics", "record", "churn", "1", "--run-id", "bench", "latency_ms=12.5").code()).isZero();
    try (ModelRegistry r = ModelRegistries.open(dir.resolve("registry").toUri())) {
      assertThat(r.getVersion("churn", 1).metricRuns().get(0).time()).as("the command's clock").isEqualTo(T0);
      assertThat(r.history("churn")).allSatisfy(e -> assertThat(e.time()).isEqualTo(T0));
    }
    Run history = run("history", "churn", "--json");
    assertThat(history.json().get(history.json().size() - 1).path("type").asText()).isEqualTo("METRICS_RECORDED");
    assertThat(run("models", "list").out()).contains("churn");
  }

  @Test
  void exitCodesMeanSomethingAndErrorsAreOneLine() throws IOException {
    Path w = file("w.bin", "x");
    Run missing = run("versions", "show", "models:/nope/1");
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.err().strip()).startsWith("modelreg: ").doesNotContain("\n").doesNotContain("at io.modelreg");
    assertThat(run("versions", "show", "not-a-uri").code()).isEqualTo(8);
    assertThat(run("register", "m", w.toString(), "--no-git").code()).isZero();
    assertThat(run("promote", "m", "1", "production").code()).isEqualTo(5);
    assertThat(run("register", "m", w.toString(), "--semver", "0.0.1", "--no-git").code()).isZero();
    assertThat(run("register", "m", w.toString(), "--semver", "0.0.1", "--no-git").code()).isEqualTo(8);
    assertThat(run("promote").code()).isEqualTo(2);
    assertThat(run("--verbose", "versions", "show", "models:/nope/1").err()).contains("at io.modelreg");
  }

  @Test
  void exportImportAndCopyKeepVersionsStagesAliasesAndDigests() throws IOException {
    run("register", "m", file("a.bin", "one").toString(), "--semver", "1.0.0", "--metric", "acc=0.8", "--no-git");
    run("register", "m", file("b.bin", "two").toString(), "--semver", "1.1.0", "--no-git");
    run("promote", "m", "1", "staging");
    run("promote", "m", "1", "production");
    run("alias", "set", "m", "candidate", "2");
    Path archive = dir.resolve("m.zip");
    assertThat(run("export", "m", "--out", archive.toString()).code()).isZero();

    env.put("MODELREG_URI", dir.resolve("other").toUri().toString());
    Run imported = run("import", archive.toString(), "--as", "m2", "--json");
    assertThat(imported.code()).isZero();
    try (ModelRegistry source = ModelRegistries.open(dir.resolve("registry").toUri());
        ModelRegistry target = ModelRegistries.open(dir.resolve("other").toUri())) {
      List<ModelVersion> a = source.listVersions("m");
      List<ModelVersion> b = target.listVersions("m2");
      assertThat(b).extracting(ModelVersion::digest).containsExactlyElementsOf(a.stream().map(ModelVersion::digest).toList());
      assertThat(target.resolve("models:/m2@production").semver().orElseThrow()).hasToString("1.0.0");
      assertThat(target.resolve("models:/m2@candidate").number()).isEqualTo(2);
      assertThat(target.getVersion("m2", 1).metrics()).containsEntry("acc", 0.8);
    }

    env.put("MODELREG_URI", dir.resolve("registry").toUri().toString());
    Run copy = run("copy", "m", "--to", dir.resolve("third").toUri().toString());
    assertThat(copy.code()).isZero();
    assertThat(copy.out()).contains("1→1, 2→2");
  }

  @Test
  void copyMovesAModelToAnMlflowServerAndTheCliReadsItThere() throws Exception {
    run("register", "m", file("a.bin", "one").toString(), "--semver", "1.0.0", "--no-git");
    run("register", "m", file("b.bin", "two").toString(), "--semver", "1.1.0", "--no-git");
    run("alias", "set", "m", "champion", "2");
    try (FakeMlflowServer mlflow = new FakeMlflowServer()) {
      String target = "mlflow://" + mlflow.uri().getAuthority();
      Run copy = run("copy", "m", "--to", target);
      assertThat(copy.code()).as(copy.err()).isZero();
      assertThat(copy.out()).contains("1→1, 2→2");

      env.put("MODELREG_URI", target);
      JsonNode versions = run("versions", "list", "m", "--json").json();
      assertThat(versions).hasSize(2);
      assertThat(versions.get(1).path("aliases").toString()).contains("champion");
      assertThat(run("verify").code()).isZero();
    }
  }

  @Test
  void adoptTakesOverAVersionPythonRegisteredAndRefusesOtherRegistries() throws IOException {
    try (FakeMlflowServer mlflow = new FakeMlflowServer()) {
      mlflow.registerLikePython("churn", Map.of("model.onnx", "onnx bytes".getBytes(StandardCharsets.UTF_8)));
      env.put("MODELREG_URI", "mlflow://" + mlflow.uri().getAuthority());
      Run adopted = run("adopt", "churn", "1", "--json");
      assertThat(adopted.code()).as(adopted.err()).isZero();
      assertThat(adopted.json().path("status").asText()).isEqualTo("READY");
      assertThat(run("verify").code()).isZero();
    }
    env.put("MODELREG_URI", dir.resolve("registry").toUri().toString());
    Run refused = run("adopt", "churn", "1");
    assertThat(refused.code()).isNotZero();
    assertThat(refused.err()).contains("not an MLflow registry");
  }

  @Test
  void anArchiveWithDamagedBytesOrEscapingPathsIsRefusedAndImportsNothing() throws IOException {
    Path archive = exportTwoVersions();
    Path damaged = withAFlippedBitInTheLastVersion(archive);
    env.put("MODELREG_URI", dir.resolve("other").toUri().toString());
    Run r = run("import", damaged.toString());
    assertThat(r.code()).isEqualTo(6);
    assertThat(r.err()).contains("b.bin of version 2").contains("SHA-256").contains("nothing was imported");
    assertThat(run("models", "show", "m").code()).as("the model was not created").isEqualTo(3);
    Path escaping = dir.resolve("escaping.zip");
    rewrite(archive, escaping, (name, bytes) -> name.equals("modelreg-export.json")
        ? new String(bytes, StandardCharsets.UTF_8).replace("\"a.bin\"", "\"../../evil\"").getBytes(StandardCharsets.UTF_8) : bytes);
    assertThat(run("import", escaping.toString()).code()).isEqualTo(8);
    assertThat(dir.resolve("evil")).doesNotExist();
    assertThat(run("models", "show", "m").code()).isEqualTo(3);
  }

  @Test
  void anArchiveWithAFlippedBitImportsNothingIntoAnMlflowServer() throws IOException {
    Path archive = exportTwoVersions();
    Path damaged = withAFlippedBitInTheLastVersion(archive);
    try (FakeMlflowServer mlflow = new FakeMlflowServer()) {
      env.put("MODELREG_URI", "mlflow://" + mlflow.uri().getAuthority());
      Run r = run("import", damaged.toString());
      assertThat(r.code()).as(r.err()).isEqualTo(6);
      assertThat(run("models", "list", "--json").json()).isEmpty();
      Run intact = run("import", archive.toString());
      assertThat(intact.code()).as(intact.err()).isZero();
      assertThat(run("versions", "list", "m", "--json").json()).hasSize(2);
    }
  }

  /** Model m with two versions (a.bin, b.bin) exported from the registry to m.zip. */
  private Path exportTwoVersions() throws IOException {
    run("register", "m", file("a.bin", "the real bytes").toString(), "--no-git");
    run("register", "m", file("b.bin", "the last version").toString(), "--no-git");
    Path archive = dir.resolve("m.zip");
    assertThat(run("export", "m", "--out", archive.toString()).code()).isZero();
    return archive;
  }

  /** A copy of the archive whose last version's file has its last bit flipped. */
  private Path withAFlippedBitInTheLastVersion(Path archive) throws IOException {
    Path damaged = dir.resolve("damaged.zip");
    rewrite(archive, damaged, (name, bytes) -> {
      if (!name.equals("versions/2/b.bin")) {
        return bytes;
      }
      byte[] copy = bytes.clone();
      copy[copy.length - 1] ^= 1;
      return copy;
    });
    return damaged;
  }

  private interface Edit {
    byte[] apply(String name, byte[] bytes);
  }

  private static void rewrite(Path from, Path to, Edit edit) throws IOException {
    try (ZipFile in = new ZipFile(from.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
      for (ZipEntry e : java.util.Collections.list(in.entries())) {
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(edit.apply(e.getName(), in.getInputStream(e).readAllBytes()));
        out.closeEntry();
      }
    }
  }

  @Test
  void verifyAndGc() throws IOException {
    run("register", "m", file("a.bin", "bytes").toString(), "--no-git");
    run("register", "m", file("b.bin", "other").toString(), "--no-git");
    assertThat(run("verify").code()).isZero();
    assertThat(run("versions", "show", "models:/m/1").code()).isZero();
    try (ModelRegistry r = ModelRegistries.open(dir.resolve("registry").toUri())) {
      r.deleteVersion("m", 1);
    }
    assertThat(run("gc", "--json").json().path("deleted").asInt()).isEqualTo(1);
    Path blobs = dir.resolve("registry/blobs/sha256");
    try (var walk = Files.walk(blobs)) {
      Path blob = walk.filter(Files::isRegularFile).findFirst().orElseThrow();
      Files.writeString(blob, "damaged");
    }
    Run verify = run("verify");
    assertThat(verify.code()).isEqualTo(6);
    assertThat(verify.out()).contains("damaged");
  }

  @Test
  void promptsAreRegisteredRenderedAndCompared() {
    assertThat(run("prompt", "register", "greet", "--template", "Hello {name}!", "--semver", "1.0.0", "-m", "first").code()).isZero();
    Run tooSmall = run("prompt", "register", "greet", "--template", "Hello {name} from {city}!", "--semver", "1.0.1");
    assertThat(tooSmall.code()).isEqualTo(8);
    assertThat(tooSmall.err()).contains("MINOR");
    assertThat(run("prompt", "register", "greet", "--template", "Hello {name} from {city}!", "--semver", "1.1.0").code()).isZero();
    assertThat(run("prompt", "render", "prompts:/greet/1.1.0", "name=Ada", "city=Paris").out().strip())
        .isEqualTo("Hello Ada from Paris!");
    assertThat(run("prompt", "render", "prompts:/greet/1", "--values", "{\"name\": \"Ada\"}").out().strip()).isEqualTo("Hello Ada!");
    Run missing = run("prompt", "render", "prompts:/greet/2", "name=Ada");
    assertThat(missing.code()).isEqualTo(8);
    assertThat(missing.err()).contains("city");
    assertThat(run("prompt", "compare", "prompts:/greet/1", "prompts:/greet/2").out()).contains("added [city]").contains("MINOR");
    assertThat(run("prompt", "promote", "greet", "2", "staging").out()).contains("STAGING");
  }

  @Test
  void aPromptIsRegisteredJavaOnlyWithItsReason() {
    Run blank = run("prompt", "register", "mails", "--template", "You have {n:d} new mails", "--semver", "1.0.0",
        "--java-only", " ");
    assertThat(blank.code()).isNotZero();
    assertThat(blank.err()).contains("Java only");
    Run marked = run("prompt", "register", "mails", "--template", "You have {n:d} new mails", "--semver", "1.0.0",
        "--java-only", "rendered by the Java gateway only", "--json");
    assertThat(marked.code()).isZero();
    assertThat(marked.json().path("java_only").asText()).contains("rendered by the Java gateway only").contains(":d");
    assertThat(run("prompt", "render", "prompts:/mails/1", "--values", "{\"n\": 3}").out().strip())
        .isEqualTo("You have 3 new mails");
  }
}

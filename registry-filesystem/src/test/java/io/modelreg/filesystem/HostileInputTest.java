package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.IntegrityException;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryException;
import io.modelreg.RegistryOptions;
import io.modelreg.VerificationReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names, paths and files that try to escape or break the registry: clear errors, nothing written outside. */
class HostileInputTest {
  @TempDir Path dir;
  private Path root;
  private ModelRegistry registry;

  @BeforeEach
  void open() {
    root = dir.resolve("registry");
    registry = openRegistry();
  }

  private ModelRegistry openRegistry() {
    return ModelRegistries.open(root.toUri(), RegistryOptions.builder().cacheTtl(Duration.ZERO).build());
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void hostileModelNamesAreRefusedAndNothingIsWrittenOutsideTheRoot() {
    List<String> before = TestFiles.listFiles(dir);
    for (String name : List.of("..", "../evil", "a/../../evil", "/etc/passwd", "a\\b", "..\\evil", "a\u0000b",
        "a\u0007b", "x".repeat(10_000), "", " ", "C:evil", "con/x")) {
      assertThatThrownBy(() -> registry.register(name, Registration.builder().bytes("a", new byte[1]).build()))
          .as("name %s", name.length() > 20 ? name.substring(0, 20) + "…" : name)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> registry.createModel(name)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> registry.resolve("models:/" + name + "/1")).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(TestFiles.listFiles(dir)).isEqualTo(before);
    assertThat(dir.resolve("evil")).doesNotExist();
  }

  @Test
  void artifactPathsThatEscapeAreRefused() {
    for (String path : List.of("../x", "/abs", "a/../../x", "a\\..\\x", "C:/x", "", "a//b")) {
      assertThatThrownBy(() -> Registration.builder().bytes(path, new byte[1]))
          .as("path %s", path).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aSymlinkOutOfARegisteredDirectoryIsRefused() throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "w");
    Path secret = Files.writeString(dir.resolve("secret"), "do not copy");
    Files.createSymbolicLink(model.resolve("leak"), secret);
    assertThatThrownBy(() -> Registration.builder().directory(model)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside");
  }

  @Test
  void aFlippedByteIsAnIntegrityErrorOnReadAndVerifyNamesIt() throws IOException {
    ModelVersion v = registry.register("m", Registration.builder().bytes("weights.bin", "real weights".getBytes(StandardCharsets.UTF_8)).build());
    Path blob = TestFiles.blob(root, v.manifest().files().get(0).digest());
    TestFiles.flipFirstByte(blob);
    assertThatThrownBy(() -> {
      try (InputStream in = registry.openArtifact(v, "weights.bin")) {
        in.readAllBytes();
      }
    }).isInstanceOf(IntegrityException.class).hasMessageContaining("weights.bin").hasMessageContaining("models:/m/1");
    VerificationReport report = registry.verify();
    assertThat(report.problems()).anySatisfy(p -> assertThat(p).contains(blob.toString()).contains("damaged"));
    assertThat(report.problems()).anySatisfy(p -> assertThat(p).contains("models:/m/1").contains("weights.bin"));
  }

  @Test
  void aTruncatedVersionFileIsAClearErrorNamingTheFile() throws IOException {
    registry.register("m", Registration.builder().bytes("a", new byte[] {1}).build());
    Path file = root.resolve("models/m/versions/1.json");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> registry.getVersion("m", 1)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("Corrupt registry file");
    assertThat(registry.verify().problems()).anySatisfy(p -> assertThat(p).contains(file.toString()));
  }

  @Test
  void aHandEditedModelFileNamesTheBrokenField() throws IOException {
    registry.createModel("m");
    Path file = root.resolve("models/m/model.json");
    Files.writeString(file, Files.readString(file).replace("\"revision\"", "\"revisoin\""));
    assertThatThrownBy(() -> registry.getModel("m")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("'revision' is missing");
    Files.writeString(file, Files.readString(file).replace("\"revisoin\" : 1", "\"revision\" : \"one\""));
    assertThatThrownBy(() -> registry.getModel("m")).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("'revision' must be an integer");
  }

  @Test
  void aBadStageOrDigestInAFileIsReportedAsCorruption() throws IOException {
    registry.register("m", Registration.builder().bytes("a", new byte[] {1}).build());
    Path file = root.resolve("models/m/versions/1.json");
    Files.writeString(file, Files.readString(file).replaceFirst("\"sha256\" : \"[0-9a-f]+\"", "\"sha256\" : \"xyz\""));
    assertThatThrownBy(() -> registry.getVersion("m", 1)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("artifacts.files").hasMessageContaining("64 lower-case hex");
  }

  @Test
  void aCrashRemnantAtTheEndOfTheEventLogIsIgnoredAndRepaired() throws IOException {
    registry.createModel("m");
    Path events = root.resolve("models/m/events.jsonl");
    Files.writeString(events, "{\"seq\":2,\"time\":\"2026-01", StandardOpenOption.APPEND);
    registry.close();
    registry = openRegistry();
    assertThat(registry.history("m")).extracting(RegistryEvent::type).containsExactly(RegistryEvent.Type.MODEL_CREATED);
    registry.setModelTag("m", "k", "v");
    assertThat(registry.history("m")).extracting(RegistryEvent::sequence).containsExactly(1L, 2L);
    assertThat(Files.readAllLines(events)).hasSize(2);
  }

  @Test
  void aDamagedEventLogIsReportedByVerifyForLiveAndDeletedModels() throws IOException {
    registry.createModel("m");
    registry.createModel("gone");
    registry.deleteModel("gone");
    for (String model : java.util.List.of("m", "gone")) {
      Files.writeString(root.resolve("models/" + model + "/events.jsonl"), "{\"seq\": \"two\"}\n",
          StandardOpenOption.APPEND);
    }
    registry.close();
    registry = openRegistry();
    assertThat(registry.verify().problems())
        .anySatisfy(p -> assertThat(p).startsWith("History of 'm'").contains("models/m/events.jsonl"))
        .anySatisfy(p -> assertThat(p).contains("models/gone/events.jsonl"))
        .hasSize(2);
  }

  @Test
  void aRegistryFromANewerFormatIsRefused() throws IOException {
    registry.close();
    Files.writeString(root.resolve("modelreg.json"), "{\"format\": 2}");
    assertThatThrownBy(this::openRegistry).isInstanceOf(RegistryException.class).hasMessageContaining("newer");
    Files.writeString(root.resolve("modelreg.json"), "{\"format\": 1}");
    registry = openRegistry();
  }

  @Test
  void openingRemovesTempFilesOfDeadProcessesOnly() throws IOException {
    registry.close();
    Path deadOne = root.resolve("tmp/meta-" + Long.MAX_VALUE + "-x.tmp");
    Path mine = root.resolve("tmp/blob-" + ProcessHandle.current().pid() + "-y.tmp");
    Files.writeString(deadOne, "left by a crash");
    Files.writeString(mine, "being written");
    registry = openRegistry();
    assertThat(deadOne).doesNotExist();
    assertThat(mine).exists();
  }
}

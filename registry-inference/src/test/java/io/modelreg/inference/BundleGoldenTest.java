package io.modelreg.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.Signature;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model bundle as {@link ModelBundle#writeTo} lays it out — {@code MLmodel} with its signature and {@code
 * metadata.modelreg}, the input examples, {@code conda.yaml}, {@code python_env.yaml}, {@code requirements.txt}
 * — against a bundle written by the code of 2026-12-02 under {@code src/test/resources/golden/bundle} (the
 * preprocessor file has its own golden test, {@code PreprocessorGoldenTest}). A later version must read it;
 * writing the same bundle today must give the same files, byte for byte except MLflow's random {@code
 * model_uuid}, so a format change shows in review. Run with {@code -Dmodelreg.golden.rewrite=true} to write
 * the files again after a deliberate change.
 */
class BundleGoldenTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden/bundle");
  static final String UUID_LINE = "model_uuid: [0-9a-f]{32}";
  @TempDir Path dir;

  static ModelBundle bundle() {
    return ModelBundle.builder()
        .onnx("stand-in bytes: the layout does not look inside the model".getBytes(StandardCharsets.UTF_8))
        .preprocessor(Preprocessor.identity(List.of("tenure", "age")))
        .featureOrder(List.of("age", "tenure"))
        .labels(List.of("stays", "churns"))
        .probabilityOutput("probabilities")
        .inputExample(List.of(Map.of("tenure", 12.0, "age", 41.0), Map.of("tenure", 3.0, "age", 23.0)))
        .outputs(List.of(Signature.Field.tensor("label", "int64", -1), Signature.Field.tensor("probabilities", "float32", -1, 2)))
        .clock(Clock.fixed(Instant.parse("2026-03-01T12:00:00.250Z"), ZoneOffset.UTC))
        .build();
  }

  private static Map<String, String> textFiles(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(root)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (!name.equals(ModelBundle.MODEL_FILE) && !name.equals(ModelBundle.PREPROCESSOR_FILE)) {
          out.put(name, Files.readString(f, StandardCharsets.UTF_8).replaceAll(UUID_LINE, "model_uuid: <random>"));
        }
      }
    }
    return out;
  }

  @Test
  void writingTheSameBundleTodayGivesTheGoldenFiles() throws IOException {
    Path today = bundle().writeTo(dir.resolve("bundle"));
    if (Boolean.getBoolean("modelreg.golden.rewrite")) {
      Files.createDirectories(GOLDEN);
      for (String name : textFiles(today).keySet()) {
        Files.copy(today.resolve(name), GOLDEN.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    assertThat(textFiles(today)).isEqualTo(textFiles(GOLDEN));
    assertThat(Files.readString(today.resolve(MlModel.FILE))).containsPattern(UUID_LINE);
  }

  @Test
  void theGoldenMlmodelReadsBackWithSignatureLabelsAndFeatureOrder() throws IOException {
    MlModel.Parsed parsed = MlModel.read(Files.readAllBytes(GOLDEN.resolve(MlModel.FILE)), "golden MLmodel");
    assertThat(parsed.modelFile()).isEqualTo(ModelBundle.MODEL_FILE);
    assertThat(parsed.preprocessorFile()).isEqualTo(ModelBundle.PREPROCESSOR_FILE);
    assertThat(parsed.labels()).containsExactly("stays", "churns");
    assertThat(parsed.featureOrder()).containsExactly("age", "tenure");
    assertThat(parsed.probabilityOutput()).isEqualTo("probabilities");
    assertThat(parsed.signature()).isEqualTo(bundle().signature());
    assertThat(Files.readString(GOLDEN.resolve(MlModel.FILE))).contains("utc_time_created: 2026-03-01 12:00:00.250000")
        .containsPattern(UUID_LINE);
  }
}

package io.modelreg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the 30-second example of the root README, and checks the README still shows exactly this code. */
class ReadmeExampleTest {

  @Test
  void readmeExampleRuns(@TempDir Path dir) throws IOException {
    Path modelFile = Files.writeString(dir.resolve("model.onnx"), "pretend these are ONNX bytes");
    byte[] loaded;
    // README:begin
    try (ModelRegistry registry = ModelRegistries.open("mem:")) {
      ModelVersion v1 = registry.register("churn", Registration.builder()
          .file(modelFile)                    // or .directory(...), .bytes(...), .stream(...)
          .semver("1.0.0")
          .metric("accuracy", 0.91)
          .tag("team", "growth")
          .build());

      registry.transition("churn", v1.number(), Stage.STAGING);
      registry.transition("churn", v1.number(), Stage.PRODUCTION);
      registry.setAlias("churn", "champion", v1.number());

      ModelVersion serving = registry.resolve("models:/churn@champion");
      try (InputStream in = registry.openArtifact(serving, "model.onnx")) {
        loaded = in.readAllBytes();           // SHA-256 checked as it is read
      }
      System.out.println(serving + " digest " + serving.digest());
    }
    // README:end
    assertThat(new String(loaded, StandardCharsets.UTF_8)).isEqualTo("pretend these are ONNX bytes");
  }

  @Test
  void readmeShowsThisExample() throws IOException {
    List<String> source = Files.readAllLines(Path.of("src/test/java/io/modelreg/ReadmeExampleTest.java"));
    List<String> snippet = new ArrayList<>();
    boolean inside = false;
    for (String line : source) {
      if (line.contains("README:end")) {
        break;
      }
      if (inside) {
        snippet.add(line.length() >= 4 ? line.substring(4) : line.strip());
      }
      if (line.contains("README:begin")) {
        inside = true;
      }
    }
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(snippet).hasSizeGreaterThan(10);
    assertThat(readme).contains(String.join("\n", snippet));
  }
}

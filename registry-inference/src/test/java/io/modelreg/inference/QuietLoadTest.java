package io.modelreg.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.inference.preprocess.Preprocessor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a model on a CPU-only machine used to log a WARN from DJL ("CUDA is not supported OnnxRuntime
 * engine") and an INFO ("Onnx extension not found in classpath"). A fresh child JVM (slf4j-simple at INFO,
 * everything on stderr captured) loads a model twice: the only line above DEBUG is ours, once, naming the
 * execution provider.
 */
class QuietLoadTest {
  @TempDir Path dir;

  @Test
  void aCpuOnlyLoadLogsOnlyTheChosenExecutionProviderOnce() throws Exception {
    Path onnx = dir.resolve("model.onnx");
    TwoFeatureModelAccess.saveOnnx(onnx);
    try (ModelRegistry registry = ModelRegistries.open(dir.resolve("registry").toUri())) {
      ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(List.of("f00", "f01")))
          .labels(List.of("no", "yes")).build().register(registry, "two", Registration.builder());
    }
    ChildJvm.Child child = ChildJvm.start(ChildJvm.command(
        List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Djava.io.tmpdir=" + dir),
        dir.resolve("registry").toString(), dir.resolve("cache").toString(), "models:/two/1", "exit"));
    assertThat(child.finish()).as("child output: %s", child.lines).isZero();

    List<String> logged = child.lines.stream()
        .filter(l -> !l.startsWith("PREDICTION ") && !l.startsWith("NATIVE ") && !l.equals("READY"))
        .toList();
    assertThat(logged).as("everything the child logged").singleElement().asString()
        .contains("INFO io.modelreg.inference.ModelPredictor - modelreg runs ONNX models on CPU");
  }
}

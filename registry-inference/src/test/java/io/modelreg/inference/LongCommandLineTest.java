package io.modelreg.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelUri;
import io.modelreg.Registration;
import io.modelreg.inference.preprocess.Preprocessor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29.0 killed the JVM (SIGSEGV in {@code OrtEnvironment.getEnvironment()}) when the process
 * command line was longer than about 4 KB. Application servers, IDEs and Gradle start JVMs with such command
 * lines, so a child JVM with one over 8 KB — the real class path plus a long property — must load a model and
 * predict.
 */
class LongCommandLineTest {
  @TempDir Path dir;

  @Test
  void aJvmWithACommandLineOver8KbLoadsAModelAndPredicts() throws Exception {
    Path onnx = dir.resolve("model.onnx");
    TwoFeatureModelAccess.saveOnnx(onnx);
    float[] expected;
    try (ModelRegistry registry = ModelRegistries.open(dir.resolve("registry").toUri())) {
      ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(List.of("f00", "f01")))
          .labels(List.of("no", "yes")).build().register(registry, "two", Registration.builder());
      try (ModelPredictor p = ModelPredictor.load(registry, ModelUri.parse("models:/two/1"),
          PredictorOptions.defaults().cacheDirectory(dir.resolve("cache")))) {
        expected = p.predict(ServingChild.ROW);
      }
    }
    List<String> command = ChildJvm.command(List.of("-Dmodelreg.test.padding=" + "x".repeat(9000)),
        dir.resolve("registry").toString(), dir.resolve("cache").toString(), "models:/two/1", "exit");
    assertThat(ChildJvm.cmdlineLength(command)).isGreaterThan(8 * 1024);

    ChildJvm.Child child = ChildJvm.start(command);
    int exit = child.finish();

    assertThat(exit).as("exit code (139 = SIGSEGV); output: %s", child.lines).isZero();
    assertThat(child.line("PREDICTION ")).isEqualTo(Arrays.toString(expected));
  }
}

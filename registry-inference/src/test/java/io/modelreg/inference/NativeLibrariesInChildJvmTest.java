package io.modelreg.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.inference.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's own loader extracts about 28 MB of native libraries into {@code java.io.tmpdir/onnxruntime-java*}
 * on every start and leaves them there when the JVM is killed. Serving JVMs are started in child processes with
 * their own temp directory, so what they leave behind can be counted.
 */
class NativeLibrariesInChildJvmTest {
  @TempDir Path dir;
  private Path registryDir;
  private Path cache;

  @BeforeEach
  void register() throws IOException {
    registryDir = dir.resolve("registry");
    cache = dir.resolve("cache");
    Path onnx = dir.resolve("model.onnx");
    TwoFeatureModelAccess.saveOnnx(onnx);
    try (ModelRegistry registry = ModelRegistries.open(registryDir.toUri())) {
      ModelBundle.builder().onnx(onnx).preprocessor(Preprocessor.identity(List.of("f00", "f01")))
          .labels(List.of("no", "yes")).build().register(registry, "two", Registration.builder());
    }
  }

  private ChildJvm.Child start(Path tmp, String mode) throws IOException {
    Files.createDirectories(tmp);
    return ChildJvm.start(ChildJvm.command(List.of("-Djava.io.tmpdir=" + tmp),
        registryDir.toString(), cache.toString(), "models:/two/1", mode));
  }

  private static List<String> contents(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aKilledServingJvmLeavesNothingInItsTempDirectory() throws Exception {
    Path tmp = dir.resolve("tmp-killed");
    ChildJvm.Child child = start(tmp, "hold");
    assertThat(child.awaitReady()).as("child output: %s", child.lines).isTrue();
    child.kill();

    assertThat(contents(tmp)).filteredOn(n -> n.startsWith("onnxruntime-java")).isEmpty();
    assertThat(child.line("NATIVE ")).startsWith(cache.resolve("native").resolve("onnxruntime-").toString());
  }

  @Test
  void theLibrariesAreExtractedOnceAndLoadedFromTheCacheOnEveryLaterStart() throws Exception {
    ChildJvm.Child first = start(dir.resolve("tmp-1"), "exit");
    assertThat(first.finish()).as("child output: %s", first.lines).isZero();
    Path library = Path.of(first.line("NATIVE "));
    assertThat(library).startsWith(cache.resolve("native"));
    Object fileKey = Files.readAttributes(library, BasicFileAttributes.class).fileKey();
    var modified = Files.getLastModifiedTime(library);

    ChildJvm.Child second = start(dir.resolve("tmp-2"), "exit");
    assertThat(second.finish()).as("child output: %s", second.lines).isZero();

    assertThat(Path.of(second.line("NATIVE "))).isEqualTo(library);
    assertThat(Files.readAttributes(library, BasicFileAttributes.class).fileKey()).isEqualTo(fileKey);
    assertThat(Files.getLastModifiedTime(library)).isEqualTo(modified);
    assertThat(contents(dir.resolve("tmp-1"))).isEmpty();
    assertThat(contents(dir.resolve("tmp-2"))).isEmpty();
    assertThat(contents(cache.resolve("native"))).singleElement().asString().startsWith("onnxruntime-");
  }
}

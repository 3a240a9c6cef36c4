package io.modelreg.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of ONNX Runtime's libraries into the cache, without loading them (child JVMs do that). */
class OnnxRuntimeNativesTest {
  @TempDir Path root;

  private static List<String> names(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theLibrariesOfThisPlatformLandInOneContentAddressedDirectory() throws Exception {
    Path dir = OnnxRuntimeNatives.extract(root, Clock.systemUTC()).orElseThrow();
    assertThat(dir.getParent()).isEqualTo(root);
    assertThat(dir.getFileName().toString()).matches("onnxruntime-[0-9a-f]{32}");
    assertThat(names(dir)).contains(".complete", System.mapLibraryName("onnxruntime"),
        System.mapLibraryName("onnxruntime4j_jni"));
    assertThat(OnnxRuntimeNatives.extract(root, Clock.systemUTC())).contains(dir);
    assertThat(names(root)).containsExactly(dir.getFileName().toString());
  }

  @Test
  void aDamagedCopyIsReplacedAndAPartialOneLeftByAKilledJvmIsCleanedUp() throws Exception {
    Path dir = OnnxRuntimeNatives.extract(root, Clock.systemUTC()).orElseThrow();
    Path jni = dir.resolve(System.mapLibraryName("onnxruntime4j_jni"));
    byte[] good = Files.readAllBytes(jni);
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 1; // same size, one bit flipped
    Files.write(jni, bad);
    Path stale = Files.createDirectory(root.resolve("." + dir.getFileName() + "-dead.partial"));
    Instant t0 = Instant.parse("2031-01-01T00:00:00Z");
    Files.setLastModifiedTime(stale, FileTime.from(t0));

    assertThat(OnnxRuntimeNatives.extract(root, Clock.fixed(t0.plusSeconds(3000), ZoneOffset.UTC))).contains(dir);
    assertThat(Files.readAllBytes(jni)).isEqualTo(good);
    assertThat(stale).as("50 minutes old by the clock given: another JVM may still be extracting").exists();

    Files.write(jni, bad);
    assertThat(OnnxRuntimeNatives.extract(root, Clock.fixed(t0.plusSeconds(3700), ZoneOffset.UTC))).contains(dir);

    assertThat(Files.readAllBytes(jni)).isEqualTo(good);
    assertThat(names(root)).containsExactly(dir.getFileName().toString());
  }

  @Test
  void jvmsExtractingAtOnceAllGetTheSameCompleteDirectory() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Optional<Path>>> results = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      results.add(threads.submit(() -> {
        go.await();
        return OnnxRuntimeNatives.extract(root, Clock.systemUTC());
      }));
    }
    go.countDown();
    Path first = results.get(0).get(120, TimeUnit.SECONDS).orElseThrow();
    for (Future<Optional<Path>> f : results) {
      assertThat(f.get(120, TimeUnit.SECONDS)).contains(first);
    }
    threads.shutdown();
    assertThat(names(root)).containsExactly(first.getFileName().toString());
    assertThat(first.resolve(".complete")).exists();
  }
}

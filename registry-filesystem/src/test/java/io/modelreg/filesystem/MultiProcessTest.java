package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryEvent;
import io.modelreg.RegistryOptions;
import io.modelreg.testkit.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Four real JVMs register into one model at once while this JVM watches. */
class MultiProcessTest {
  private static final int CHILDREN = 4;
  private static final int EACH = 25;
  private static final int SIZE = 8 * 1024;

  @Test
  void fourJvmsRegisterOneHundredVersionsIntoOneModel(@TempDir Path root) throws Exception {
    try (ModelRegistry registry = ModelRegistries.open(root.toUri(),
        RegistryOptions.builder().cacheTtl(Duration.ZERO).watchPollInterval(Duration.ofMillis(50)).build())) {
      BlockingQueue<RegistryEvent> seen = new LinkedBlockingQueue<>();
      registry.watch("shared", seen::add);

      List<ChildJvm> children = new ArrayList<>();
      try {
        for (int c = 0; c < CHILDREN; c++) {
          children.add(new ChildJvm(ChildRegistrar.class, root.toString(), "shared", Integer.toString(EACH), "c" + c,
              Integer.toString(SIZE)));
        }
        for (ChildJvm child : children) {
          assertThat(child.waitFor(300)).as("exit code; output %s", child.lines()).isZero();
          assertThat(child.lines()).filteredOn(l -> l.startsWith("REGISTERED")).hasSize(EACH);
        }
      } finally {
        for (ChildJvm child : children) {
          child.close();
        }
      }

      List<ModelVersion> versions = registry.listVersions("shared");
      assertThat(versions).extracting(ModelVersion::number)
          .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, CHILDREN * EACH).boxed().toList());
      Set<String> origins = new TreeSet<>();
      for (ModelVersion v : versions) {
        String origin = java.util.Objects.requireNonNull(v.tags().get("origin"), "origin tag");
        assertThat(origin).isNotNull();
        origins.add(origin);
        try (InputStream in = registry.openArtifact(v, "model.bin")) {
          assertThat(in.readAllBytes()).isEqualTo(ChildRegistrar.payload(origin, SIZE));
        }
      }
      assertThat(origins).hasSize(CHILDREN * EACH);
      assertThat(registry.history("shared")).filteredOn(e -> e.type() == RegistryEvent.Type.VERSION_REGISTERED)
          .hasSize(CHILDREN * EACH);
      assertThat(registry.verify().problems()).isEmpty();

      int registered = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (registered < CHILDREN * EACH && System.nanoTime() < deadline) {
        RegistryEvent e = seen.poll(1, TimeUnit.SECONDS);
        if (e != null && e.type() == RegistryEvent.Type.VERSION_REGISTERED) {
          registered++;
        }
      }
      assertThat(registered).as("registration events delivered to the watcher in this JVM").isEqualTo(CHILDREN * EACH);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}

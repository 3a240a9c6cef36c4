package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelreg.GcReport;
import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import io.modelreg.testkit.ChildJvm;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gc runs over and over while another JVM registers: it must never delete bytes a new version needs. */
class GcRaceTest {
  private static final int SIZE = 64 * 1024;

  @Test
  void gcNeverDeletesBytesOfARegistrationInProgressInAnotherProcess(@TempDir Path root) throws Exception {
    try (ModelRegistry registry = ModelRegistries.open(root.toUri(), RegistryOptions.builder().cacheTtl(Duration.ZERO).build())) {
      // garbage to collect: a version whose unique bytes become unreferenced
      registry.register("other", Registration.builder().bytes("x", new byte[] {1, 2, 3}).build());
      registry.deleteVersion("other", 1);
      int collections = 0;
      long deleted = 0;
      try (ChildJvm child = new ChildJvm(ChildRegistrar.class, root.toString(), "busy", "40", "gc", Integer.toString(SIZE))) {
        assertThat(child.awaitLine("READY", 120)).isTrue();
        while (child.isAlive()) {
          GcReport report = registry.gc();
          deleted += report.deleted();
          collections++;
        }
        assertThat(child.waitFor(300)).as("child output %s", child.lines()).isZero();
      }
      assertThat(collections).isPositive();
      assertThat(deleted).isGreaterThanOrEqualTo(1);
      assertThat(registry.verify().problems()).isEmpty();
      for (ModelVersion v : registry.listVersions("busy")) {
        String origin = java.util.Objects.requireNonNull(v.tags().get("origin"));
        try (InputStream in = registry.openArtifact(v, "model.bin")) {
          assertThat(in.readAllBytes()).isEqualTo(ChildRegistrar.payload(origin, SIZE));
        }
      }
      assertThat(registry.listVersions("busy")).hasSize(40);
    }
  }
}

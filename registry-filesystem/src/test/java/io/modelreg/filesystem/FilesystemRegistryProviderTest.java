package io.modelreg.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelreg.ModelRegistries;
import io.modelreg.ModelRegistry;
import io.modelreg.Registration;
import io.modelreg.RegistryOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemRegistryProviderTest {

  @Test
  void acceptsTheUsualSpellings() {
    assertThat(FilesystemRegistryProvider.path(URI.create("file:/srv/models"))).isEqualTo(Path.of("/srv/models"));
    assertThat(FilesystemRegistryProvider.path(URI.create("file:///srv/models"))).isEqualTo(Path.of("/srv/models"));
    assertThat(FilesystemRegistryProvider.path(URI.create("file://localhost/srv/models"))).isEqualTo(Path.of("/srv/models"));
    assertThat(FilesystemRegistryProvider.path(URI.create("file:./models"))).isEqualTo(Path.of("./models"));
    assertThat(FilesystemRegistryProvider.path(URI.create("file:models"))).isEqualTo(Path.of("models"));
    assertThat(FilesystemRegistryProvider.path(URI.create("file:/srv/my%20models"))).isEqualTo(Path.of("/srv/my models"));
  }

  @Test
  void rejectsRemoteHostsQueriesAndEmptyPaths() {
    assertThatThrownBy(() -> FilesystemRegistryProvider.path(URI.create("file://nas/models")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mount");
    assertThatThrownBy(() -> FilesystemRegistryProvider.path(URI.create("file:/srv/models?x=1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
  }

  @Test
  void opensThroughServiceLoaderAndCreatesTheDirectory(@TempDir Path dir) {
    Path root = dir.resolve("new/registry");
    try (ModelRegistry r = ModelRegistries.open(root.toUri().toString())) {
      r.register("m", Registration.builder().bytes("a.txt", new byte[] {42}).build());
    }
    assertThat(root.resolve("modelreg.json")).exists();
    assertThat(root.resolve("models/m/versions/1.json")).exists();
    try (ModelRegistry again = ModelRegistries.open("file:" + root)) {
      assertThat(again.getVersion("m", 1).manifest().files()).hasSize(1);
    }
  }

  @Test
  void lockTimeoutOptionIsValidated(@TempDir Path dir) {
    RegistryOptions bad = RegistryOptions.builder().storeOption(FilesystemRegistryProvider.LOCK_TIMEOUT, "soon").build();
    assertThatThrownBy(() -> ModelRegistries.open(dir.toUri(), bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT30S");
    RegistryOptions good = RegistryOptions.builder().storeOption(FilesystemRegistryProvider.LOCK_TIMEOUT, "PT5S").build();
    try (ModelRegistry r = ModelRegistries.open(dir.toUri(), good)) {
      assertThat(r.listModels()).isEmpty();
    }
    assertThat(Files.isDirectory(dir.resolve("models"))).isTrue();
  }
}

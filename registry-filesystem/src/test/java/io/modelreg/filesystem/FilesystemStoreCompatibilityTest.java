package io.modelreg.filesystem;

import io.modelreg.ArtifactEntry;
import io.modelreg.ModelVersion;
import io.modelreg.spi.RegistryStore;
import io.modelreg.testkit.RegistryCompatibilityKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/** The {@code file:} store passes the whole compatibility kit, a second client being a second store on the same directory. */
class FilesystemStoreCompatibilityTest extends RegistryCompatibilityKit {
  private final List<Path> roots = new ArrayList<>();

  @Override
  protected RegistryStore newStore() {
    try {
      Path root = Files.createTempDirectory("modelreg-kit");
      roots.add(root);
      return FilesystemRegistryStore.open(root, Duration.ofSeconds(30));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected Optional<RegistryStore> secondClient(RegistryStore store) {
    return Optional.of(FilesystemRegistryStore.open(((FilesystemRegistryStore) store).root(), Duration.ofSeconds(30)));
  }

  @Override
  protected boolean corruptArtifact(RegistryStore store, ModelVersion version, ArtifactEntry entry) {
    TestFiles.flipFirstByte(TestFiles.blob(((FilesystemRegistryStore) store).root(), entry.digest()));
    return true;
  }

  @AfterEach
  void deleteRoots() {
    roots.forEach(TestFiles::deleteRecursively);
    roots.clear();
  }
}

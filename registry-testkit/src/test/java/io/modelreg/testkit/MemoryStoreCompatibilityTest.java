package io.modelreg.testkit;

import io.modelreg.ArtifactEntry;
import io.modelreg.ModelVersion;
import io.modelreg.mem.MemoryRegistryStore;
import io.modelreg.spi.RegistryStore;
import java.util.Optional;

/** The {@code mem:} reference store passes the whole kit. */
class MemoryStoreCompatibilityTest extends RegistryCompatibilityKit {
  @Override
  protected RegistryStore newStore() {
    return MemoryRegistryStore.create();
  }

  @Override
  protected Optional<RegistryStore> secondClient(RegistryStore store) {
    return Optional.of(((MemoryRegistryStore) store).sharedView());
  }

  @Override
  protected boolean corruptArtifact(RegistryStore store, ModelVersion version, ArtifactEntry entry) {
    ((MemoryRegistryStore) store).tamper(entry.digest(), bytes -> {
      bytes[0] ^= 1;
      return bytes;
    });
    return true;
  }
}

package io.modelreg.mem;

import io.modelreg.RegistryOptions;
import io.modelreg.spi.RegistryProvider;
import io.modelreg.spi.RegistryStore;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Serves the {@code mem:} scheme; see the package comment. */
public final class MemoryRegistryProvider implements RegistryProvider {
  private static final ConcurrentHashMap<String, MemoryRegistryStore.Data> SHARED = new ConcurrentHashMap<>();

  @Override
  public Set<String> schemes() {
    return Set.of("mem");
  }

  @Override
  public RegistryStore open(URI uri, RegistryOptions options) {
    String ssp = uri.getSchemeSpecificPart();
    String name = ssp == null ? "" : ssp.replaceFirst("^/+", "");
    if (name.isEmpty()) {
      return new MemoryRegistryStore("mem:", new MemoryRegistryStore.Data());
    }
    return new MemoryRegistryStore("mem:" + name, SHARED.computeIfAbsent(name, k -> new MemoryRegistryStore.Data()));
  }

  /** Drops the shared store {@code mem:name}; registries still open on it keep their data. */
  public static void forget(String name) {
    SHARED.remove(name);
  }
}

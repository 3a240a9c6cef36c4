package io.modelreg.mlflow;

import io.modelreg.ArtifactEntry;
import io.modelreg.ModelVersion;
import io.modelreg.spi.RegistryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/**
 * The {@code mlflow:} store passes the compatibility kit against the loopback stand-in server; a second
 * client is a second store (own HTTP client) on the same server.
 */
class MlflowStoreCompatibilityTest extends MlflowKit {
  private final List<FakeMlflowServer> servers = new ArrayList<>();
  private final Map<RegistryStore, FakeMlflowServer> serverOf = new IdentityHashMap<>();

  static MlflowRegistryStore storeOn(URI uri) {
    return new MlflowRegistryStore(httpOn(uri));
  }

  /** A plain REST client of the server, also for playing another MLflow client in tests. */
  static MlflowHttp httpOn(URI uri) {
    return new MlflowHttp(new MlflowHttp.Settings(uri,
        MlflowHttp.Settings.credentials(uri, null, null, null, false), Duration.ofSeconds(2), Duration.ofSeconds(10), 3,
        Duration.ofMillis(10)));
  }

  @Override
  protected RegistryStore newStore() {
    try {
      FakeMlflowServer server = new FakeMlflowServer();
      servers.add(server);
      MlflowRegistryStore store = storeOn(server.uri());
      serverOf.put(store, server);
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected Optional<RegistryStore> secondClient(RegistryStore store) {
    FakeMlflowServer server = serverOf.get(store);
    return server == null ? Optional.empty() : Optional.of(storeOn(server.uri()));
  }

  @Override
  protected boolean corruptArtifact(RegistryStore store, ModelVersion version, ArtifactEntry entry) {
    FakeMlflowServer server = serverOf.get(store);
    if (server == null) {
      return false;
    }
    server.corrupt(store.findVersion(version.name(), version.number()).orElseThrow().artifactLocation(), entry.path());
    return true;
  }

  @AfterEach
  void stopServers() {
    servers.forEach(FakeMlflowServer::close);
    servers.clear();
    serverOf.clear();
  }
}

package io.modelreg.jdbc;

import io.modelreg.ArtifactEntry;
import io.modelreg.ModelVersion;
import io.modelreg.spi.RegistryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

/**
 * The whole compatibility kit again, with the artifact bytes in a blob directory ({@code jdbc.blobs}): every schema
 * gets a directory of its own (a directory belongs to one registry), a second client opens the same directory, and
 * {@code corruptArtifact} flips a bit of the blob's file on disk, which a read must report as an integrity error.
 */
class JdbcDirectoryBlobsCompatibilityTest extends JdbcStoreCompatibilityTest {
  private static final Path ROOT = temp();

  private static Path temp() {
    try {
      return Files.createTempDirectory("modelreg-it-blobs");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final AtomicInteger DIRECTORIES = new AtomicInteger();
  /** The blob directory of each schema in use; a recycled schema is a new registry, so it gets a new directory. */
  private static final Map<String, Path> BY_SCHEMA = new ConcurrentHashMap<>();
  private boolean newRegistry;

  private static Path directory(String schema) {
    return Objects.requireNonNull(BY_SCHEMA.get(schema), schema);
  }

  @Override
  protected JdbcRegistryStore open(String schema) {
    if (newRegistry) {
      newRegistry = false;
      BY_SCHEMA.put(schema, ROOT.resolve(schema + "-" + DIRECTORIES.incrementAndGet()));
    }
    return TestDatabase.open(schema, directory(schema));
  }

  @Override
  protected RegistryStore newStore() {
    newRegistry = true;
    return super.newStore();
  }

  @Override
  protected boolean corruptArtifact(RegistryStore store, ModelVersion version, ArtifactEntry entry) {
    Path file = directory(((JdbcRegistryStore) store).schema()).resolve("blobs").resolve("sha256")
        .resolve(entry.digest().hex().substring(0, 2)).resolve(entry.digest().hex());
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length == 0) {
        return false;
      }
      bytes[0] ^= 1;
      Files.write(file, bytes);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  static void deleteDirectories() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}

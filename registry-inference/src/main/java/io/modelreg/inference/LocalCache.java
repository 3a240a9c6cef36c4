package io.modelreg.inference;

import io.modelreg.ArtifactEntry;
import io.modelreg.Digest;
import io.modelreg.ModelRegistry;
import io.modelreg.ModelVersion;
import io.modelreg.RegistryException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Downloaded bundles, one directory per version digest: {@code CACHE/<digest hex>/}. A directory is
 * complete when its {@code .complete} marker exists; every use re-hashes its files against the version's
 * manifest, so a damaged entry is found, deleted and downloaded again.
 */
final class LocalCache {
  private static final String MARKER = ".complete";

  private LocalCache() {}

  /** The verified local directory of {@code version}, and whether it was already cached. */
  record Entry(Path directory, boolean hit) {}

  static Entry fetch(ModelRegistry registry, ModelVersion version, Path cacheRoot) {
    Path dir = cacheRoot.resolve(version.digest().hex());
    try {
      Files.createDirectories(cacheRoot);
      if (Files.exists(dir.resolve(MARKER))) {
        if (intact(dir, version)) {
          return new Entry(dir, true);
        }
        ModelBundle.deleteQuietly(dir);
      }
      Path staging = cacheRoot.resolve(".download-" + UUID.randomUUID());
      try {
        registry.download(version, staging);
        Files.createFile(staging.resolve(MARKER));
        try {
          Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
          // another loader won the race; its copy is checked like any cached one
          if (!intact(dir, version)) {
            throw new RegistryException("The cache entry " + dir + " is damaged and in use by another loader", e);
          }
        } catch (AtomicMoveNotSupportedException e) {
          throw new RegistryException("The cache directory " + cacheRoot + " cannot rename atomically", e);
        }
      } finally {
        if (Files.exists(staging)) {
          ModelBundle.deleteQuietly(staging);
        }
      }
      return new Entry(dir, false);
    } catch (IOException e) {
      throw new RegistryException("Cannot use the model cache " + cacheRoot + ": " + e, e);
    }
  }

  private static boolean intact(Path dir, ModelVersion version) throws IOException {
    for (ArtifactEntry e : version.manifest().files()) {
      Path f = dir.resolve(e.path());
      if (!Files.isRegularFile(f) || Files.size(f) != e.size() || !Digest.ofFile(f).equals(e.digest())) {
        return false;
      }
    }
    return true;
  }

}

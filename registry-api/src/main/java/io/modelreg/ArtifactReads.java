package io.modelreg;

import io.modelreg.spi.ModelRecord;
import io.modelreg.spi.RegistryStore;
import io.modelreg.spi.StorageCheck;
import io.modelreg.spi.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Artifact bytes out of the store, always verified: reads checked against the manifest ({@link
 * VerifyingInputStream}), downloads that leave nothing unverified behind, and {@link #verify()}, which
 * re-hashes everything the store does not vouch for.
 */
final class ArtifactReads {
  private final RegistryStore store;

  ArtifactReads(RegistryStore store) {
    this.store = store;
  }

  /** One artifact of {@code version}, checked against the manifest's digest first and its own as it streams. */
  InputStream open(ModelVersion version, String path) {
    Names.checkArtifactPath(path);
    ArtifactManifest manifest = version.manifest();
    ArtifactEntry entry = manifest.find(path).orElseThrow(() -> new NotFoundException("Version " + version.number()
        + " of '" + version.name() + "' has no artifact '" + path + "'; it has " + pathsOf(manifest)));
    if (!manifest.isConsistent()) {
      throw new IntegrityException("The artifact manifest of " + version.uri() + " does not match its digest "
          + manifest.digest() + "; the version metadata was altered");
    }
    try {
      return new VerifyingInputStream(store.openArtifact(version.record(), entry), entry,
          "Artifact '" + path + "' of " + version.uri());
    } catch (IOException e) {
      throw new RegistryException("Cannot read artifact '" + path + "' of " + version.uri() + " from "
          + store.describe() + ": " + e, e);
    }
  }

  private static String pathsOf(ArtifactManifest manifest) {
    List<String> paths = new ArrayList<>();
    for (ArtifactEntry e : manifest.files()) {
      if (paths.size() == 10) {
        paths.add("… (" + manifest.files().size() + " files)");
        break;
      }
      paths.add(e.path());
    }
    return paths.toString();
  }

  /** Writes each file to a temporary file next to its place, verifies it, then moves it into place. */
  Path download(ModelVersion version, Path directory) {
    Path root = directory.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
      for (ArtifactEntry entry : version.manifest().files()) {
        Path target = root.resolve(entry.path()).normalize();
        if (!target.startsWith(root)) {
          throw new IntegrityException("Artifact path '" + entry.path() + "' of " + version.uri() + " escapes " + root);
        }
        Path parent = Objects.requireNonNull(target.getParent());
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".modelreg-", ".part");
        try {
          try (InputStream in = open(version, entry.path()); OutputStream out = Files.newOutputStream(tmp)) {
            in.transferTo(out);
          }
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      return root;
    } catch (IOException e) {
      throw new RegistryException("Cannot download " + version.uri() + " into " + root + ": " + e, e);
    }
  }

  /**
   * Checks the store's own structures, that every model's record, versions and history can be read, every
   * manifest against its digest, and every stored content the store does not report intact by reading it (each
   * digest once).
   */
  VerificationReport verify() {
    StorageCheck storage = store.verifyStorage();
    List<String> problems = new ArrayList<>(storage.problems());
    Map<Digest, String> hashed = new HashMap<>();
    int models = 0;
    int versions = 0;
    for (String name : store.listModelNames()) {
      try {
        store.readEvents(name, 0);
      } catch (RegistryException e) {
        problems.add("History of '" + name + "': " + e.getMessage());
      }
      List<VersionRecord> records;
      try {
        ModelRecord m = store.findModel(name).orElse(null);
        if (m == null) {
          continue; // deleted while we looked
        }
        records = store.listVersions(name);
      } catch (RegistryException e) {
        problems.add("Model '" + name + "': " + e.getMessage());
        continue;
      }
      models++;
      for (VersionRecord v : records) {
        versions++;
        ModelUri uri = ModelUri.ofNumber(name, v.number());
        if (!v.manifest().isConsistent()) {
          problems.add(uri + ": the artifact manifest does not match its digest " + v.manifest().digest());
        }
        for (ArtifactEntry entry : v.manifest().files()) {
          Long intactSize = storage.intact().get(entry.digest());
          String verdict = intactSize != null
              ? (intactSize == entry.size() ? "" : "stored content is " + intactSize + " bytes, " + entry.size() + " recorded")
              : hashed.computeIfAbsent(entry.digest(), d -> rehash(v, entry));
          if (!verdict.isEmpty()) {
            problems.add(uri + " '" + entry.path() + "': " + verdict);
          }
        }
      }
    }
    return new VerificationReport(models, versions, hashed.size() + storage.intact().size(), problems);
  }

  /** Reads one artifact through the verifying stream; empty when it is intact, else what is wrong. */
  private String rehash(VersionRecord version, ArtifactEntry entry) {
    byte[] buf = new byte[ArtifactUploads.COPY_BUFFER];
    try (InputStream in = new VerifyingInputStream(store.openArtifact(version, entry), entry,
        "content " + entry.digest())) {
      while (in.read(buf) >= 0) {
        // the stream checks size and digest at the end
      }
      return "";
    } catch (IntegrityException | NotFoundException e) {
      return String.valueOf(e.getMessage());
    } catch (IOException | RegistryException e) {
      return "cannot be read: " + e;
    }
  }
}

package io.modelreg;

import io.modelreg.spi.ArtifactUpload;
import io.modelreg.spi.RegistryStore;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Artifact bytes into the store, hashed as they stream: each file's SHA-256 and size are computed while it is
 * copied (64 KiB at a time, no file held in memory), and the manifest of what was stored is returned for the
 * version record.
 */
final class ArtifactUploads {
  static final int COPY_BUFFER = 64 * 1024;

  private final RegistryStore store;

  ArtifactUploads(RegistryStore store) {
    this.store = store;
  }

  /** Starts an upload session for a version of {@code model} that is not registered yet. */
  ArtifactUpload begin(String model) {
    try {
      return store.beginUpload(model);
    } catch (IOException e) {
      throw new RegistryException("Cannot start an artifact upload for '" + model + "' in " + store.describe()
          + ": " + e.getMessage(), e);
    }
  }

  /**
   * Streams every artifact of {@code registration} into {@code upload} (64 KiB at a time, no file held in
   * memory) and returns the manifest of what was stored.
   *
   * @throws IllegalArgumentException if a source cannot be read, naming the file
   */
  ArtifactManifest store(ArtifactUpload upload, String model, Registration registration) {
    List<ArtifactEntry> entries = new ArrayList<>();
    for (Registration.Artifact artifact : registration.artifacts()) {
      entries.add(store(upload, model, artifact));
    }
    return ArtifactManifest.of(entries);
  }

  private ArtifactEntry store(ArtifactUpload upload, String model, Registration.Artifact artifact) {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[COPY_BUFFER];
    long size = 0;
    InputStream in;
    try {
      in = artifact.source().open();
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read artifact '" + artifact.path() + "' from " + artifact.origin()
          + ": " + e, e);
    }
    try (InputStream source = in; ArtifactUpload.Sink sink = upload.open(artifact.path(), artifact.source().size())) {
      while (true) {
        int n;
        try {
          n = source.read(buf);
        } catch (IOException e) {
          throw new IllegalArgumentException("Cannot read artifact '" + artifact.path() + "' from "
              + artifact.origin() + ": " + e, e);
        }
        if (n < 0) {
          break;
        }
        md.update(buf, 0, n);
        sink.write(buf, 0, n);
        size += n;
      }
      Digest digest = Digest.fromBytes(md.digest());
      sink.commit(digest, size);
      return new ArtifactEntry(artifact.path(), size, digest);
    } catch (IOException e) {
      throw new RegistryException("Cannot store artifact '" + artifact.path() + "' of '" + model + "' in "
          + store.describe() + ": " + e, e);
    }
  }
}

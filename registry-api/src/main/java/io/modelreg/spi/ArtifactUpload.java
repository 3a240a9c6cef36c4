package io.modelreg.spi;

import io.modelreg.Digest;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The artifact files of one version being uploaded, before the version record exists. The policy
 * layer opens one sink per file, streams the bytes through it while computing SHA-256, and commits
 * each file with its digest. If the registration fails, {@link #abort()} is called; stores may leave
 * unreferenced bytes for garbage collection.
 */
public interface ArtifactUpload {
  /** An opaque, store-specific location recorded as {@link VersionRecord#artifactLocation()}. */
  String location();

  /** Opens a sink for one file; paths are already validated. */
  Sink open(String path) throws IOException;

  /** Called when the registration fails; must not throw. */
  void abort();

  /** Receives the bytes of one file. Closing without {@link #commit} discards them. */
  abstract class Sink extends OutputStream {
    /**
     * Makes the written bytes durable under their digest. The store may check the digest itself and
     * must throw {@link io.modelreg.IntegrityException} when its own count or hash disagrees.
     */
    public abstract void commit(Digest digest, long size) throws IOException;
  }
}

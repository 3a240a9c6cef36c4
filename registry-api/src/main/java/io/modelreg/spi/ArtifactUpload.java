package io.modelreg.spi;

import io.modelreg.Digest;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The artifact files of one version being uploaded, before the version record exists. The policy
 * layer opens one sink per file, streams the bytes through it while computing SHA-256, commits each
 * file with its digest, creates the version record, and then closes the upload, whether the
 * registration succeeded or not. While an upload is open, {@link RegistryStore#collectGarbage()} must
 * not delete the bytes it stored; after it is closed, bytes that no version refers to are garbage.
 */
public interface ArtifactUpload extends AutoCloseable {
  /** An opaque, store-specific location recorded as {@link VersionRecord#artifactLocation()}. */
  String location();

  /** Opens a sink for one file; paths are already validated. */
  Sink open(String path) throws IOException;

  /**
   * Opens a sink for one file that is expected to be {@code expectedSize} bytes long (-1: not known). The size is a
   * hint: a remote store may begin sending before {@link Sink#commit}, and must still store exactly the bytes
   * written, whatever their number. The default ignores the hint.
   */
  default Sink open(String path, long expectedSize) throws IOException {
    return open(path);
  }

  /** Ends the upload session; idempotent, must not throw. */
  @Override
  void close();

  /** Receives the bytes of one file. Closing without {@link #commit} discards them. */
  abstract class Sink extends OutputStream {
    /**
     * Makes the written bytes durable under their digest. The store may check the digest itself and
     * must throw {@link io.modelreg.IntegrityException} when its own count or hash disagrees.
     */
    public abstract void commit(Digest digest, long size) throws IOException;
  }
}

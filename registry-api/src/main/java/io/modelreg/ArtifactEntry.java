package io.modelreg;

/**
 * One file of a model version: its relative path, size in bytes and SHA-256 digest.
 *
 * @param path relative, {@code /}-separated path (see {@link Names#checkArtifactPath})
 * @param size size in bytes
 * @param digest SHA-256 of the content
 */
public record ArtifactEntry(String path, long size, Digest digest) {
  public ArtifactEntry {
    Names.checkArtifactPath(path);
    if (size < 0) {
      throw new IllegalArgumentException("Artifact size must not be negative: " + size);
    }
  }
}

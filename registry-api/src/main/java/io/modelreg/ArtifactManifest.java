package io.modelreg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every file of a model version with its size and SHA-256, and one digest over the whole manifest.
 *
 * <p>The version digest is the SHA-256 of the UTF-8 text made of one line per file, sorted by path
 * (by UTF-16 code unit order): {@code <sha256 hex> <size> <path>\n}. It changes when any byte, size or
 * name changes, and is the same for the same files on every backend.
 *
 * @param files the files, sorted by path, no duplicates
 * @param digest the version digest over {@code files}
 */
public record ArtifactManifest(List<ArtifactEntry> files, Digest digest) {

  public ArtifactManifest {
    files = List.copyOf(files);
    for (int i = 1; i < files.size(); i++) {
      if (files.get(i - 1).path().compareTo(files.get(i).path()) >= 0) {
        throw new IllegalArgumentException("Manifest files must be sorted by path and unique; '"
            + files.get(i - 1).path() + "' comes before '" + files.get(i).path() + "'");
      }
    }
  }

  /** Builds a manifest from files in any order and computes its digest. */
  public static ArtifactManifest of(List<ArtifactEntry> files) {
    List<ArtifactEntry> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(ArtifactEntry::path));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i - 1).path().equals(sorted.get(i).path())) {
        throw new IllegalArgumentException("Artifact path '" + sorted.get(i).path() + "' is given twice");
      }
    }
    return new ArtifactManifest(sorted, computeDigest(sorted));
  }

  /** An empty manifest (a version without files). */
  public static ArtifactManifest empty() {
    return of(List.of());
  }

  /** Computes the version digest of sorted files, as described in the class comment. */
  public static Digest computeDigest(List<ArtifactEntry> sortedFiles) {
    MessageDigest md = Digest.newSha256();
    for (ArtifactEntry e : sortedFiles) {
      md.update((e.digest().hex() + " " + e.size() + " " + e.path() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return Digest.fromBytes(md.digest());
  }

  /** Whether {@link #digest()} matches the files; false means the manifest was altered. */
  public boolean isConsistent() {
    return computeDigest(files).equals(digest);
  }

  /** The entry for {@code path}, if the version has such a file. */
  public Optional<ArtifactEntry> find(String path) {
    for (ArtifactEntry e : files) {
      if (e.path().equals(path)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** Total size of all files in bytes. */
  public long totalSize() {
    long total = 0;
    for (ArtifactEntry e : files) {
      total += e.size();
    }
    return total;
  }
}

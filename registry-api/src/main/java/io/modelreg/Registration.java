package io.modelreg;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Everything needed to register a model version: artifact files and metadata. Build one with {@link
 * #builder()}; every setter validates at once, so a bad name or path fails where it is written.
 *
 * <pre>{@code
 * Registration r = Registration.builder()
 *     .file(Path.of("model.onnx"))
 *     .semver("1.2.0")
 *     .metric("accuracy", 0.91)
 *     .tag("team", "growth")
 *     .build();
 * }</pre>
 */
public final class Registration {
  /** Opens the bytes of one artifact; may be called more than once. */
  @FunctionalInterface
  public interface ContentSource {
    InputStream open() throws IOException;

    /**
     * How many bytes {@link #open} will give, when known beforehand; -1 (the default) when not. A hint only: a store
     * may begin sending with it, and the bytes actually read are what is hashed, counted and stored.
     */
    default long size() {
      return -1;
    }
  }

  /** A file's bytes; its size is read when asked, so a hint is as fresh as the upload. */
  private record FileSource(Path file, LinkOption... options) implements ContentSource {
    @Override
    public InputStream open() throws IOException {
      return Files.newInputStream(file, options);
    }

    @Override
    public long size() {
      try {
        return Files.size(file);
      } catch (IOException e) {
        return -1; // open() reports what is wrong
      }
    }
  }

  /**
   * One artifact to store.
   *
   * @param path the artifact path inside the version
   * @param source where its bytes come from
   * @param origin a description of the source for messages (a file path, "bytes", "stream")
   */
  public record Artifact(String path, ContentSource source, String origin) {
    public Artifact {
      Names.checkArtifactPath(path);
    }
  }

  private final List<Artifact> artifacts;
  private final @Nullable String description;
  private final Map<String, String> tags;
  private final Map<String, String> params;
  private final Map<String, Double> metrics;
  private final Lineage lineage;
  private final @Nullable Signature signature;
  private final @Nullable SemanticVersion semver;

  private Registration(Builder b) {
    this.artifacts = List.copyOf(b.artifacts.values());
    this.description = b.description;
    this.tags = Map.copyOf(b.tags);
    this.params = Map.copyOf(b.params);
    this.metrics = Map.copyOf(b.metrics);
    this.lineage = b.lineage;
    this.signature = b.signature;
    this.semver = b.semver;
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Artifact> artifacts() {
    return artifacts;
  }

  public @Nullable String description() {
    return description;
  }

  public Map<String, String> tags() {
    return tags;
  }

  public Map<String, String> params() {
    return params;
  }

  public Map<String, Double> metrics() {
    return metrics;
  }

  public Lineage lineage() {
    return lineage;
  }

  public @Nullable Signature signature() {
    return signature;
  }

  public @Nullable SemanticVersion semver() {
    return semver;
  }

  /** Builder for {@link Registration}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Artifact> artifacts = new LinkedHashMap<>();
    private @Nullable String description;
    private final Map<String, String> tags = new TreeMap<>();
    private final Map<String, String> params = new TreeMap<>();
    private final Map<String, Double> metrics = new TreeMap<>();
    private Lineage lineage = Lineage.empty();
    private @Nullable Signature signature;
    private @Nullable SemanticVersion semver;

    private Builder() {}

    private Builder add(Artifact artifact) {
      if (artifacts.putIfAbsent(artifact.path(), artifact) != null) {
        throw new IllegalArgumentException("Artifact path '" + artifact.path() + "' is given twice ("
            + artifacts.get(artifact.path()).origin() + " and " + artifact.origin() + ")");
      }
      return this;
    }

    /** Adds a regular file under its own file name. */
    public Builder file(Path file) {
      Path name = file.getFileName();
      if (name == null) {
        throw new IllegalArgumentException("'" + file + "' has no file name");
      }
      return file(name.toString(), file);
    }

    /**
     * Adds a regular file under {@code path}.
     *
     * @throws IllegalArgumentException if the file does not exist or is not a regular file
     */
    public Builder file(String path, Path file) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("'" + file + "' is not a regular file");
      }
      Path absolute = file.toAbsolutePath();
      return add(new Artifact(path, new FileSource(absolute), absolute.toString()));
    }

    /**
     * Adds every regular file below {@code directory}, with paths relative to it. Symbolic links are
     * followed only while they stay inside the directory.
     *
     * @throws IllegalArgumentException if the directory does not exist, or a link points outside it
     */
    public Builder directory(Path directory) {
      return directory("", directory);
    }

    /** Adds every regular file below {@code directory} under the artifact path prefix {@code prefix}. */
    public Builder directory(String prefix, Path directory) {
      if (!Files.isDirectory(directory)) {
        throw new IllegalArgumentException("'" + directory + "' is not a directory");
      }
      if (!prefix.isEmpty()) {
        Names.checkArtifactPath(prefix);
      }
      Path root;
      List<Path> files = new ArrayList<>();
      try {
        root = directory.toRealPath();
        try (Stream<Path> walk = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
          walk.forEach(p -> {
            if (Files.isRegularFile(p)) {
              files.add(p);
            }
          });
        }
        for (Path p : files) {
          Path real = p.toRealPath();
          if (!real.startsWith(root)) {
            throw new IllegalArgumentException("'" + p + "' is a link to '" + real + "', outside '" + root
                + "'; artifacts must stay inside the registered directory");
          }
        }
      } catch (IOException | UncheckedIOException e) {
        throw new IllegalArgumentException("Cannot read directory '" + directory + "': " + e.getMessage(), e);
      }
      files.sort(null);
      for (Path p : files) {
        StringBuilder rel = new StringBuilder(prefix);
        for (Path part : root.relativize(p)) {
          if (rel.length() > 0) {
            rel.append('/');
          }
          rel.append(part);
        }
        Path file = p;
        add(new Artifact(rel.toString(), new FileSource(file, LinkOption.NOFOLLOW_LINKS), p.toString()));
      }
      return this;
    }

    /** Adds bytes held in memory (the array is copied). */
    public Builder bytes(String path, byte[] content) {
      byte[] copy = content.clone();
      return add(new Artifact(path, new ContentSource() {
        @Override
        public InputStream open() {
          return new ByteArrayInputStream(copy);
        }

        @Override
        public long size() {
          return copy.length;
        }
      }, "bytes"));
    }

    /** Adds bytes read from a source that can be opened when the registration runs. */
    public Builder stream(String path, ContentSource source) {
      return add(new Artifact(path, source, "stream"));
    }

    public Builder description(@Nullable String description) {
      Names.checkDescription(description);
      this.description = description;
      return this;
    }

    public Builder tag(String key, String value) {
      tags.put(Names.checkUserKey("tag", key), Names.checkValue("tag", key, value));
      return this;
    }

    public Builder tags(Map<String, String> values) {
      values.forEach(this::tag);
      return this;
    }

    public Builder param(String key, String value) {
      params.put(Names.checkKey("param", key), Names.checkValue("param", key, value));
      return this;
    }

    public Builder params(Map<String, String> values) {
      values.forEach(this::param);
      return this;
    }

    public Builder metric(String key, double value) {
      metrics.put(key, Names.checkMetric(key, value));
      return this;
    }

    public Builder metrics(Map<String, Double> values) {
      values.forEach(this::metric);
      return this;
    }

    public Builder lineage(Lineage lineage) {
      this.lineage = lineage;
      return this;
    }

    public Builder signature(Signature signature) {
      this.signature = signature;
      return this;
    }

    /** Sets the semantic version; see {@link SemanticVersion#parse} for the syntax. */
    public Builder semver(String semver) {
      return semver(SemanticVersion.parse(semver));
    }

    public Builder semver(SemanticVersion semver) {
      this.semver = semver;
      return this;
    }

    public Registration build() {
      return new Registration(this);
    }
  }
}

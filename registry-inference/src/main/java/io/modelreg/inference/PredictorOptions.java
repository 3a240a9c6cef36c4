package io.modelreg.inference;

import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link ModelPredictor}, immutable: {@code cacheDirectory}, where downloaded bundles (and ONNX
 * Runtime's native libraries, under {@code native/}) are kept, default {@code ~/.modelreg/cache} or the
 * {@code modelreg.cache} system property; and the {@link ExecutionProvider}, default {@link
 * ExecutionProvider#AUTO}.
 */
public final class PredictorOptions {
  private final Path cacheDirectory;
  private final ExecutionProvider executionProvider;

  private PredictorOptions(Path cacheDirectory, ExecutionProvider executionProvider) {
    this.cacheDirectory = cacheDirectory;
    this.executionProvider = executionProvider;
  }

  public static PredictorOptions defaults() {
    String property = System.getProperty("modelreg.cache");
    return new PredictorOptions(property != null ? Path.of(property)
        : Path.of(System.getProperty("user.home", "."), ".modelreg", "cache"), ExecutionProvider.AUTO);
  }

  /** A copy with another cache directory. */
  public PredictorOptions cacheDirectory(Path directory) {
    return new PredictorOptions(Objects.requireNonNull(directory, "directory"), executionProvider);
  }

  /** A copy with another execution provider. */
  public PredictorOptions executionProvider(ExecutionProvider provider) {
    return new PredictorOptions(cacheDirectory, Objects.requireNonNull(provider, "provider"));
  }

  public Path cacheDirectory() {
    return cacheDirectory;
  }

  public ExecutionProvider executionProvider() {
    return executionProvider;
  }

  @Override
  public String toString() {
    return "PredictorOptions{cache=" + cacheDirectory + ", executionProvider=" + executionProvider + "}";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PredictorOptions && ((PredictorOptions) o).cacheDirectory.equals(cacheDirectory)
        && ((PredictorOptions) o).executionProvider == executionProvider;
  }

  @Override
  public int hashCode() {
    return cacheDirectory.hashCode() * 31 + executionProvider.hashCode();
  }
}

package io.modelreg.inference;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link ModelPredictor}: {@code cacheDirectory}, where downloaded bundles are kept, one
 * directory per version digest; default {@code ~/.modelreg/cache}, or the {@code modelreg.cache} system
 * property.
 */
public final class PredictorOptions {
  private final Path cacheDirectory;

  private PredictorOptions(Path cacheDirectory) {
    this.cacheDirectory = cacheDirectory;
  }

  public static PredictorOptions defaults() {
    String property = System.getProperty("modelreg.cache");
    return new PredictorOptions(property != null ? Path.of(property)
        : Path.of(System.getProperty("user.home", "."), ".modelreg", "cache"));
  }

  public PredictorOptions cacheDirectory(Path directory) {
    return new PredictorOptions(directory);
  }

  public Path cacheDirectory() {
    return cacheDirectory;
  }

  @Override
  public String toString() {
    return "PredictorOptions{cache=" + cacheDirectory + "}";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PredictorOptions && ((PredictorOptions) o).cacheDirectory.equals(cacheDirectory);
  }

  @Override
  public int hashCode() {
    return cacheDirectory.hashCode();
  }
}

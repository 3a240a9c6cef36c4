package io.modelreg.inference;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link ModelPredictor}.
 *
 * <ul>
 *   <li>{@code cacheDirectory}: where downloaded bundles are kept, one directory per version digest;
 *       default {@code ~/.modelreg/cache}, or the {@code modelreg.cache} system property.
 *   <li>{@code maxIdlePredictors}: DJL predictors kept for reuse between calls; default twice the
 *       processors (one per concurrently calling thread is enough).
 * </ul>
 */
public final class PredictorOptions {
  private final Path cacheDirectory;
  private final int maxIdlePredictors;

  private PredictorOptions(Path cacheDirectory, int maxIdlePredictors) {
    this.cacheDirectory = cacheDirectory;
    this.maxIdlePredictors = maxIdlePredictors;
  }

  public static PredictorOptions defaults() {
    String property = System.getProperty("modelreg.cache");
    Path cache = property != null ? Path.of(property) : Path.of(System.getProperty("user.home", "."), ".modelreg", "cache");
    return new PredictorOptions(cache, 2 * Runtime.getRuntime().availableProcessors());
  }

  public PredictorOptions cacheDirectory(Path directory) {
    return new PredictorOptions(directory, maxIdlePredictors);
  }

  public PredictorOptions maxIdlePredictors(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("maxIdlePredictors must be at least 1, got " + n);
    }
    return new PredictorOptions(cacheDirectory, n);
  }

  public Path cacheDirectory() {
    return cacheDirectory;
  }

  public int maxIdlePredictors() {
    return maxIdlePredictors;
  }

  @Override
  public String toString() {
    return "PredictorOptions{cache=" + cacheDirectory + ", maxIdlePredictors=" + maxIdlePredictors + "}";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PredictorOptions && ((PredictorOptions) o).cacheDirectory.equals(cacheDirectory)
        && ((PredictorOptions) o).maxIdlePredictors == maxIdlePredictors;
  }

  @Override
  public int hashCode() {
    return cacheDirectory.hashCode() * 31 + maxIdlePredictors;
  }
}

package io.modelreg.filesystem;

import io.modelreg.RegistryOptions;
import io.modelreg.spi.RegistryProvider;
import io.modelreg.spi.RegistryStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Serves {@code file:} URIs: {@code file:/srv/models}, {@code file:///srv/models}, {@code
 * file:./models} (relative to the working directory) and {@code file:///C:/models} on Windows. The
 * store option {@code file.lock-timeout} (an ISO-8601 duration such as {@code PT30S}, default 60 s)
 * bounds how long a write waits for a model lock held by another process.
 */
public final class FilesystemRegistryProvider implements RegistryProvider {
  /** Store option: how long to wait for a lock, as an ISO-8601 duration. */
  public static final String LOCK_TIMEOUT = "file.lock-timeout";

  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public RegistryStore open(URI uri, RegistryOptions options) {
    Duration timeout = options.storeOption(LOCK_TIMEOUT).map(FilesystemRegistryProvider::duration)
        .orElse(Duration.ofSeconds(60));
    return FilesystemRegistryStore.open(path(uri), timeout, options.ticker(), options.clock());
  }

  /** The directory a {@code file:} URI names. */
  static Path path(URI uri) {
    if (uri.getQuery() != null || uri.getFragment() != null) {
      throw new IllegalArgumentException("A file: registry URI takes no query or fragment: " + uri);
    }
    if (uri.isOpaque()) {
      String ssp = uri.getSchemeSpecificPart();
      if (ssp == null || ssp.isEmpty()) {
        throw new IllegalArgumentException("The file: registry URI '" + uri + "' names no directory; use"
            + " file:/srv/models or file:./models");
      }
      return Path.of(ssp);
    }
    String authority = uri.getAuthority();
    if (authority != null && !authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
      throw new IllegalArgumentException("The file: registry URI '" + uri + "' names host '" + authority
          + "'; mount the share locally and use file:/mount/point");
    }
    String path = uri.getPath();
    if (path == null || path.isEmpty() || path.equals("/") && uri.toString().equals("file:/")) {
      throw new IllegalArgumentException("The file: registry URI '" + uri + "' names no directory");
    }
    try {
      return Path.of(new URI("file", null, path, null)); // drops a localhost authority, keeps C:/ on Windows
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("Invalid file: registry URI '" + uri + "': " + e.getMessage(), e);
    }
  }

  private static Duration duration(String text) {
    try {
      Duration d = Duration.parse(text);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(LOCK_TIMEOUT + " must be positive, got " + text);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(LOCK_TIMEOUT + " must be an ISO-8601 duration such as PT30S, got '" + text + "'", e);
    }
  }
}

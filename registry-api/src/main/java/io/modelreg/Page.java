package io.modelreg;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One page of results.
 *
 * @param items the results on this page
 * @param nextPageToken the token for the next page, or null on the last page
 */
public record Page<T>(List<T> items, @Nullable String nextPageToken) {
  public Page {
    items = List.copyOf(items);
  }

  public Optional<String> next() {
    return Optional.ofNullable(nextPageToken);
  }
}

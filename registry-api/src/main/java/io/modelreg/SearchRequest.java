package io.modelreg;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A search with MLflow's filter grammar plus {@code alias}, {@code stage}, {@code semver} and {@code
 * metrics.<m>}; see {@link ModelRegistry#searchVersions(SearchRequest)} for the grammar.
 *
 * @param filter the filter, empty for everything
 * @param orderBy order clauses such as {@code version_number DESC} or {@code metrics.accuracy DESC}
 * @param maxResults page size, 1 to {@value #MAX_PAGE_SIZE}
 * @param pageToken the token from the previous page, or null for the first
 */
public record SearchRequest(String filter, List<String> orderBy, int maxResults, @Nullable String pageToken) {
  /** The largest page. */
  public static final int MAX_PAGE_SIZE = 10_000;
  /** The page size when none is given. */
  public static final int DEFAULT_PAGE_SIZE = 100;

  public SearchRequest {
    orderBy = List.copyOf(orderBy);
    if (maxResults < 1 || maxResults > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("maxResults must be between 1 and " + MAX_PAGE_SIZE + ", got " + maxResults);
    }
  }

  /** The first page of a filter, default order and page size. */
  public static SearchRequest of(String filter) {
    return new SearchRequest(filter, List.of(), DEFAULT_PAGE_SIZE, null);
  }

  public SearchRequest orderBy(String... clauses) {
    return new SearchRequest(filter, List.of(clauses), maxResults, pageToken);
  }

  public SearchRequest maxResults(int n) {
    return new SearchRequest(filter, orderBy, n, pageToken);
  }

  public SearchRequest pageToken(@Nullable String token) {
    return new SearchRequest(filter, orderBy, maxResults, token);
  }
}

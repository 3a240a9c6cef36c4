package io.modelreg.inference.pool;

import io.modelreg.ModelUri;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which model URI serves a request: rules map a request key (a content type, a tenant, anything) to a
 * target, with a default; a target may be a sticky split that sends a weighted share of requests, chosen
 * by a hash of a sticky key (a user id), to a candidate.
 *
 * <pre>{@code
 * Routing routing = Routing.builder()
 *     .route("tenant-a", "models:/churn-a@production")
 *     .split("tenant-b", "models:/churn@champion", "models:/churn@challenger", 0.10)
 *     .defaultUri("models:/churn@production")
 *     .build();
 * }</pre>
 */
public final class Routing {
  private record Target(String control, @Nullable String candidate, double share) {}

  private final Map<String, Target> rules;
  private final @Nullable Target fallback;

  private Routing(Map<String, Target> rules, @Nullable Target fallback) {
    this.rules = Map.copyOf(rules);
    this.fallback = fallback;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The URI for a request.
   *
   * @param key the routing key
   * @param stickyKey the key that keeps a caller on one arm of a split (ignored without a split)
   * @throws IllegalArgumentException when no rule matches and there is no default
   */
  public String uriFor(String key, String stickyKey) {
    Target t = rules.get(key);
    if (t == null) {
      t = fallback;
    }
    if (t == null) {
      throw new IllegalArgumentException("No route for '" + key + "' and no default; routes: " + rules.keySet());
    }
    if (t.candidate() == null || io.modelreg.StickyHash.unit(stickyKey) >= t.share()) {
      return t.control();
    }
    return t.candidate();
  }

  /** Builder for {@link Routing}. */
  public static final class Builder {
    private final Map<String, Target> rules = new LinkedHashMap<>();
    private @Nullable Target fallback;

    private Builder() {}

    public Builder route(String key, String uri) {
      ModelUri.parse(uri);
      rules.put(key, new Target(uri, null, 0));
      return this;
    }

    /** Sends {@code share} (0..1) of the sticky keys of requests with {@code key} to {@code candidate}. */
    public Builder split(String key, String control, String candidate, double share) {
      ModelUri.parse(control);
      ModelUri.parse(candidate);
      if (!(share >= 0 && share <= 1)) {
        throw new IllegalArgumentException("The candidate's share must be in [0, 1], got " + share);
      }
      rules.put(key, new Target(control, candidate, share));
      return this;
    }

    public Builder defaultUri(String uri) {
      ModelUri.parse(uri);
      fallback = new Target(uri, null, 0);
      return this;
    }

    public Routing build() {
      return new Routing(rules, fallback);
    }
  }
}

package io.modelreg.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The route table: a method and a path pattern ({@code /api/v1/models/{name}}, a last segment {@code {path...}}
 * takes the rest of the path) to a handler. Matching compares decoded segments; literals win over parameters.
 */
final class Router {

  /** What a route does with an exchange. */
  @FunctionalInterface
  interface Handler {
    void handle(Exchange exchange) throws Exception;
  }

  /** Whether a route changes the registry (needs the token, refused in read-only mode). */
  enum Access {
    READ,
    WRITE
  }

  record Route(String method, String pattern, Access access, Handler handler, List<String> segments) {
    boolean isWrite() {
      return access == Access.WRITE;
    }
  }

  record Match(Route route, Map<String, String> params) {}

  private final List<Route> routes = new ArrayList<>();

  Router add(String method, String pattern, Access access, Handler handler) {
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("A route pattern starts with '/': " + pattern);
    }
    for (Route r : routes) {
      if (r.method().equals(method) && r.pattern().equals(pattern)) {
        throw new IllegalArgumentException("Route registered twice: " + method + " " + pattern);
      }
    }
    routes.add(new Route(method, pattern, access, handler, split(pattern)));
    return this;
  }

  List<Route> routes() {
    return Collections.unmodifiableList(routes);
  }

  /** The route for a method and decoded path segments, or null. */
  @Nullable Match match(String method, List<String> path) {
    Match best = null;
    int bestLiterals = -1;
    for (Route r : routes) {
      if (!r.method().equals(method)) {
        continue;
      }
      Map<String, String> params = bind(r.segments(), path);
      if (params != null) {
        int literals = (int) r.segments().stream().filter(s -> !s.startsWith("{")).count();
        if (literals > bestLiterals) {
          best = new Match(r, params);
          bestLiterals = literals;
        }
      }
    }
    return best;
  }

  /** The methods some route answers on this path (for 405 and CORS preflight). */
  Set<String> methodsFor(List<String> path) {
    Set<String> out = new TreeSet<>();
    for (Route r : routes) {
      if (bind(r.segments(), path) != null) {
        out.add(r.method());
      }
    }
    return out;
  }

  private static @Nullable Map<String, String> bind(List<String> pattern, List<String> path) {
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < pattern.size(); i++) {
      String p = pattern.get(i);
      if (p.startsWith("{") && p.endsWith("...}")) {
        if (i >= path.size()) {
          return null;
        }
        params.put(p.substring(1, p.length() - 4), String.join("/", path.subList(i, path.size())));
        return params;
      }
      if (i >= path.size()) {
        return null;
      }
      if (p.startsWith("{")) {
        if (path.get(i).isEmpty()) {
          return null;
        }
        params.put(p.substring(1, p.length() - 1), path.get(i));
      } else if (!p.equals(path.get(i))) {
        return null;
      }
    }
    return pattern.size() == path.size() ? params : null;
  }

  static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.substring(1).split("/", -1)) {
      out.add(s);
    }
    if (out.size() == 1 && out.get(0).isEmpty()) {
      return List.of();
    }
    return out;
  }
}

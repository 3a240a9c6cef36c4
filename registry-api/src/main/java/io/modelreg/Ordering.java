package io.modelreg;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The order of search results ({@code orderBy} clauses such as {@code "metrics.accuracy DESC"}, then a stable
 * default) and page tokens: an offset bound to the filter and order it was issued for, so a token from
 * another search is refused instead of giving a wrong page.
 */
final class Ordering {
  private Ordering() {}

  static Comparator<ModelVersion> versions(List<String> clauses) {
    Comparator<ModelVersion> order = null;
    for (String clause : clauses) {
      String[] parts = clause.trim().split("\\s+");
      boolean desc = direction(clause, parts);
      String field = parts[0].toLowerCase(Locale.ROOT);
      Comparator<ModelVersion> c;
      if (field.startsWith("metrics.")) {
        String metric = parts[0].substring("metrics.".length());
        c = nullsLast(v -> v.latestMetric(metric).isPresent() ? v.latestMetric(metric).getAsDouble() : null, desc);
      } else {
        switch (field) {
          case "name":
            c = nullsLast(ModelVersion::name, desc);
            break;
          case "version_number":
          case "version":
            c = nullsLast(ModelVersion::number, desc);
            break;
          case "created_at":
          case "creation_timestamp":
            c = nullsLast(ModelVersion::createdAt, desc);
            break;
          case "updated_at":
          case "last_updated_timestamp":
            c = nullsLast(ModelVersion::updatedAt, desc);
            break;
          case "semver":
            c = nullsLast(v -> v.semver().orElse(null), desc);
            break;
          default:
            throw new IllegalArgumentException("Cannot order by '" + parts[0] + "'; allowed: name, version_number,"
                + " created_at, updated_at, semver, metrics.<name>, each optionally ASC or DESC");
        }
      }
      order = order == null ? c : order.thenComparing(c);
    }
    Comparator<ModelVersion> dflt = Comparator.comparing(ModelVersion::name)
        .thenComparing(Comparator.comparingInt(ModelVersion::number).reversed());
    return order == null ? dflt : order.thenComparing(dflt);
  }

  static Comparator<RegisteredModel> models(List<String> clauses) {
    Comparator<RegisteredModel> order = null;
    for (String clause : clauses) {
      String[] parts = clause.trim().split("\\s+");
      boolean desc = direction(clause, parts);
      Comparator<RegisteredModel> c;
      switch (parts[0].toLowerCase(Locale.ROOT)) {
        case "name":
          c = nullsLast(RegisteredModel::name, desc);
          break;
        case "created_at":
        case "creation_timestamp":
          c = nullsLast(RegisteredModel::createdAt, desc);
          break;
        case "updated_at":
        case "last_updated_timestamp":
          c = nullsLast(RegisteredModel::updatedAt, desc);
          break;
        default:
          throw new IllegalArgumentException("Cannot order models by '" + parts[0]
              + "'; allowed: name, created_at, updated_at, each optionally ASC or DESC");
      }
      order = order == null ? c : order.thenComparing(c);
    }
    Comparator<RegisteredModel> dflt = Comparator.comparing(RegisteredModel::name);
    return order == null ? dflt : order.thenComparing(dflt);
  }

  private static boolean direction(String clause, String[] parts) {
    if (parts.length == 1 || parts[0].isEmpty()) {
      if (parts[0].isEmpty()) {
        throw new IllegalArgumentException("Empty order clause");
      }
      return false;
    }
    if (parts.length == 2 && parts[1].equalsIgnoreCase("ASC")) {
      return false;
    }
    if (parts.length == 2 && parts[1].equalsIgnoreCase("DESC")) {
      return true;
    }
    throw new IllegalArgumentException("Invalid order clause '" + clause + "'; expected FIELD [ASC|DESC]");
  }

  private static <T, U extends Comparable<? super U>> Comparator<T> nullsLast(
      Function<T, @Nullable U> key, boolean desc) {
    Comparator<U> natural = desc ? Comparator.<U>reverseOrder() : Comparator.<U>naturalOrder();
    return (x, y) -> {
      U a = key.apply(x);
      U b = key.apply(y);
      if (a == null || b == null) {
        return a == null ? (b == null ? 0 : 1) : -1;
      }
      return natural.compare(a, b);
    };
  }

  static <T> Page<T> page(List<T> sorted, SearchRequest request) {
    String fingerprint = Integer.toHexString(Objects.hash(request.filter(), request.orderBy()));
    int offset = 0;
    String token = request.pageToken();
    if (token != null) {
      offset = decode(token, fingerprint);
    }
    int end = Math.min(sorted.size(), offset + request.maxResults());
    List<T> items = offset >= sorted.size() ? List.of() : sorted.subList(offset, end);
    String next = end < sorted.size() ? encode(end, fingerprint) : null;
    return new Page<>(items, next);
  }

  private static String encode(int offset, String fingerprint) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((offset + ":" + fingerprint).getBytes(StandardCharsets.UTF_8));
  }

  private static int decode(String token, String fingerprint) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int colon = text.indexOf(':');
      if (colon > 0 && text.substring(colon + 1).equals(fingerprint)) {
        int offset = Integer.parseInt(text.substring(0, colon));
        if (offset >= 0) {
          return offset;
        }
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new IllegalArgumentException("Invalid page token '" + Names.printable(token)
        + "': pass the token returned by the previous page of the same search");
  }
}

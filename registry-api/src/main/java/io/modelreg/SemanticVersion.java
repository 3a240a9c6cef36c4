package io.modelreg;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A Semantic Versioning 2.0.0 version: {@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}.
 *
 * <p>Ordering is SemVer precedence: numeric fields compare numerically, a pre-release sorts before its
 * release, pre-release identifiers compare numerically when both are numeric, lexically (ASCII)
 * otherwise, numeric before alphanumeric, and a shorter identifier list first when all shared ones are
 * equal. Build metadata is ignored for precedence ({@link #compareTo}) but kept by {@link #equals}.
 *
 * @param major the major version
 * @param minor the minor version
 * @param patch the patch version
 * @param preRelease dot-separated pre-release identifiers, empty for a release
 * @param build dot-separated build metadata identifiers, empty when absent
 */
public record SemanticVersion(
    long major, long minor, long patch, List<String> preRelease, List<String> build)
    implements Comparable<SemanticVersion> {

  public SemanticVersion {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException("Version numbers must not be negative");
    }
    preRelease = List.copyOf(preRelease);
    build = List.copyOf(build);
  }

  /** A release version without pre-release or build parts. */
  public static SemanticVersion of(long major, long minor, long patch) {
    return new SemanticVersion(major, minor, patch, List.of(), List.of());
  }

  /**
   * Parses a SemVer 2.0.0 string strictly.
   *
   * @throws IllegalArgumentException naming the position and what was expected there, for example a
   *     leading zero, a missing patch number or an empty identifier
   */
  public static SemanticVersion parse(String text) {
    return new Parser(text).parse();
  }

  /** Whether this is a pre-release ({@code 1.0.0-rc.1}). */
  public boolean isPreRelease() {
    return !preRelease.isEmpty();
  }

  /** The next major version ({@code 1.4.2 → 2.0.0}). */
  public SemanticVersion nextMajor() {
    return of(major + 1, 0, 0);
  }

  /** The next minor version ({@code 1.4.2 → 1.5.0}). */
  public SemanticVersion nextMinor() {
    return of(major, minor + 1, 0);
  }

  /** The next patch version ({@code 1.4.2 → 1.4.3}; {@code 1.5.0-rc.1 → 1.5.0}). */
  public SemanticVersion nextPatch() {
    return isPreRelease() ? of(major, minor, patch) : of(major, minor, patch + 1);
  }

  @Override
  public int compareTo(SemanticVersion o) {
    int c = Long.compare(major, o.major);
    if (c == 0) {
      c = Long.compare(minor, o.minor);
    }
    if (c == 0) {
      c = Long.compare(patch, o.patch);
    }
    if (c != 0) {
      return c;
    }
    if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
      return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
    }
    int n = Math.min(preRelease.size(), o.preRelease.size());
    for (int i = 0; i < n; i++) {
      c = compareIdentifier(preRelease.get(i), o.preRelease.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(preRelease.size(), o.preRelease.size());
  }

  private static int compareIdentifier(String a, String b) {
    boolean an = isNumeric(a);
    boolean bn = isNumeric(b);
    if (an && bn) {
      return new BigInteger(a).compareTo(new BigInteger(b));
    }
    if (an != bn) {
      return an ? -1 : 1;
    }
    return a.compareTo(b);
  }

  private static boolean isNumeric(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(major).append('.').append(minor).append('.').append(patch);
    if (!preRelease.isEmpty()) {
      sb.append('-').append(String.join(".", preRelease));
    }
    if (!build.isEmpty()) {
      sb.append('+').append(String.join(".", build));
    }
    return sb.toString();
  }

  /** Hand-written parser so that every error can say where it is. */
  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    SemanticVersion parse() {
      if (text.isEmpty()) {
        throw error("empty string; expected MAJOR.MINOR.PATCH such as 1.4.2");
      }
      if (text.charAt(0) == 'v' || text.charAt(0) == 'V') {
        throw error("a leading '" + text.charAt(0) + "' is not part of a semantic version; write "
            + text.substring(1));
      }
      long major = number("major");
      expect('.', "major");
      long minor = number("minor");
      expect('.', "minor");
      long patch = number("patch");
      List<String> pre = List.of();
      List<String> build = List.of();
      if (pos < text.length() && text.charAt(pos) == '-') {
        pos++;
        pre = identifiers("pre-release", true);
      }
      if (pos < text.length() && text.charAt(pos) == '+') {
        pos++;
        build = identifiers("build metadata", false);
      }
      if (pos < text.length()) {
        throw error("unexpected '" + text.charAt(pos) + "'; expected '-' (pre-release), '+' (build) or the end");
      }
      return new SemanticVersion(major, minor, patch, pre, build);
    }

    private long number(String what) {
      int start = pos;
      while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
        pos++;
      }
      if (start == pos) {
        throw error("expected the " + what + " number" + found());
      }
      if (pos - start > 1 && text.charAt(start) == '0') {
        pos = start;
        throw error("the " + what + " number must not have a leading zero");
      }
      if (pos - start > 18) {
        pos = start;
        throw error("the " + what + " number is too large");
      }
      return Long.parseLong(text.substring(start, pos));
    }

    private void expect(char c, String after) {
      if (pos >= text.length() || text.charAt(pos) != c) {
        throw error("expected '" + c + "' after the " + after + " number" + found()
            + " (a semantic version has three numbers: MAJOR.MINOR.PATCH)");
      }
      pos++;
    }

    private List<String> identifiers(String what, boolean noLeadingZero) {
      List<String> ids = new ArrayList<>();
      while (true) {
        int start = pos;
        while (pos < text.length() && isIdentifierChar(text.charAt(pos))) {
          pos++;
        }
        if (start == pos) {
          throw error("empty " + what + " identifier; identifiers are [0-9A-Za-z-]+" + found());
        }
        String id = text.substring(start, pos);
        if (noLeadingZero && id.length() > 1 && id.charAt(0) == '0' && isNumeric(id)) {
          pos = start;
          throw error("numeric " + what + " identifier '" + id + "' must not have a leading zero");
        }
        ids.add(id);
        if (pos < text.length() && text.charAt(pos) == '.') {
          pos++;
        } else {
          return ids;
        }
      }
    }

    private static boolean isIdentifierChar(char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    }

    private String found() {
      return pos < text.length() ? ", found '" + text.charAt(pos) + "'" : ", found the end";
    }

    private IllegalArgumentException error(String message) {
      return new IllegalArgumentException(
          "Invalid semantic version '" + text + "' at position " + pos + ": " + message);
    }
  }

  /** Parses or returns null; for callers that have their own error message. */
  static @Nullable SemanticVersion parseOrNull(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

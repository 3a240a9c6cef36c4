package io.modelreg;

/**
 * A caret ({@code ^1.4}) or tilde ({@code ~1.4.0}) range of semantic versions, with npm's meaning.
 *
 * <ul>
 *   <li>{@code ^1.4.2} is {@code >=1.4.2 <2.0.0}; {@code ^0.4.2} is {@code >=0.4.2 <0.5.0}; {@code
 *       ^0.0.3} is {@code >=0.0.3 <0.0.4}; {@code ^1.4} is {@code ^1.4.0}; {@code ^1} is {@code <2.0.0}.
 *   <li>{@code ~1.4.2} is {@code >=1.4.2 <1.5.0}; {@code ~1.4} is the same as {@code ~1.4.0}; {@code ~1}
 *       is {@code >=1.0.0 <2.0.0}.
 * </ul>
 *
 * A pre-release version matches only when the lower bound is a pre-release of the same
 * MAJOR.MINOR.PATCH, so {@code ^1.4} never picks {@code 2.0.0-rc.1} or {@code 1.5.0-beta}.
 *
 * @param text the range as written
 * @param lower inclusive lower bound
 * @param upper exclusive upper bound
 */
public record VersionRange(String text, SemanticVersion lower, SemanticVersion upper) {

  /**
   * Parses {@code ^X[.Y[.Z[-pre]]]} or {@code ~X[.Y[.Z[-pre]]]}.
   *
   * @throws IllegalArgumentException if the text does not start with {@code ^} or {@code ~}, or the
   *     version after it is not a (possibly partial) semantic version
   */
  public static VersionRange parse(String text) {
    if (text.length() < 2 || (text.charAt(0) != '^' && text.charAt(0) != '~')) {
      throw new IllegalArgumentException(
          "Invalid version range '" + text + "': expected ^MAJOR[.MINOR[.PATCH]] or ~MAJOR[.MINOR[.PATCH]]");
    }
    boolean caret = text.charAt(0) == '^';
    String body = text.substring(1);
    String core = body;
    String suffix = "";
    int cut = indexOfAny(body, '-', '+');
    if (cut >= 0) {
      core = body.substring(0, cut);
      suffix = body.substring(cut);
    }
    String[] parts = core.split("\\.", -1);
    if (parts.length > 3 || (parts.length < 3 && !suffix.isEmpty())) {
      throw new IllegalArgumentException("Invalid version range '" + text
          + "': expected at most MAJOR.MINOR.PATCH after '" + text.charAt(0)
          + "', and a pre-release only after a full MAJOR.MINOR.PATCH");
    }
    StringBuilder full = new StringBuilder(core);
    for (int i = parts.length; i < 3; i++) {
      full.append(".0");
    }
    SemanticVersion lower;
    try {
      lower = SemanticVersion.parse(full + suffix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid version range '" + text + "': " + e.getMessage(), e);
    }
    SemanticVersion upper;
    if (caret) {
      if (lower.major() > 0 || parts.length == 1) {
        upper = SemanticVersion.of(lower.major() + 1, 0, 0);
      } else if (lower.minor() > 0 || parts.length == 2) {
        upper = SemanticVersion.of(0, lower.minor() + 1, 0);
      } else {
        upper = SemanticVersion.of(0, 0, lower.patch() + 1);
      }
    } else {
      upper = parts.length == 1
          ? SemanticVersion.of(lower.major() + 1, 0, 0)
          : SemanticVersion.of(lower.major(), lower.minor() + 1, 0);
    }
    return new VersionRange(text, lower, upper);
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == a || s.charAt(i) == b) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code version} lies in this range (see the class comment for pre-releases). */
  public boolean matches(SemanticVersion version) {
    if (version.compareTo(lower) < 0 || version.compareTo(upper) >= 0) {
      return false;
    }
    if (version.isPreRelease()) {
      return lower.isPreRelease()
          && lower.major() == version.major()
          && lower.minor() == version.minor()
          && lower.patch() == version.patch();
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}

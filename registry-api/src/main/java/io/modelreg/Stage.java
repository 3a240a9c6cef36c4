package io.modelreg;

import java.util.Locale;

/**
 * The lifecycle stage of a model version.
 *
 * <p>New versions start in {@link #DEVELOPMENT}. The allowed moves are DEVELOPMENT → STAGING →
 * PRODUCTION, any stage → ARCHIVED, and ARCHIVED → STAGING (a retired version must pass staging again).
 * At most one version of a model is in PRODUCTION; promoting another archives it.
 */
public enum Stage {
  DEVELOPMENT,
  STAGING,
  PRODUCTION,
  ARCHIVED;

  /**
   * Parses a stage name case-insensitively ({@code "production"}, {@code "Staging"}).
   *
   * @throws IllegalArgumentException if the text is not one of the four stage names
   */
  public static Stage parse(String text) {
    Stage stage = parseOrNull(text);
    if (stage == null) {
      throw new IllegalArgumentException(
          "Unknown stage '" + text + "'; allowed: development, staging, production, archived");
    }
    return stage;
  }

  static @org.jspecify.annotations.Nullable Stage parseOrNull(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "development":
        return DEVELOPMENT;
      case "staging":
        return STAGING;
      case "production":
        return PRODUCTION;
      case "archived":
        return ARCHIVED;
      default:
        return null;
    }
  }

  /** Whether the policy allows a direct move from this stage to {@code target}. */
  public boolean canMoveTo(Stage target) {
    switch (target) {
      case STAGING:
        return this == DEVELOPMENT || this == ARCHIVED;
      case PRODUCTION:
        return this == STAGING;
      case ARCHIVED:
        return this != ARCHIVED;
      case DEVELOPMENT:
      default:
        return false;
    }
  }

  /** The stages this one may move to directly, as words: "STAGING or ARCHIVED". */
  String allowedTargets() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (Stage s : values()) {
      if (canMoveTo(s)) {
        out.add(s.name());
      }
    }
    return String.join(" or ", out);
  }

  /** The lower-case name used in URIs and managed aliases. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

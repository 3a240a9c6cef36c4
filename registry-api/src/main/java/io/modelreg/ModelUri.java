package io.modelreg;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A reference to one model version: {@code models:/name/7}, {@code models:/name/latest}, {@code
 * models:/name/production}, {@code models:/name@champion}, {@code models:/name/1.4.2}, {@code
 * models:/name/^1.4} or {@code models:/name/~1.4.0}. Prompts use the same forms with {@code prompts:/}.
 *
 * <p>{@link #toString()} formats back to the canonical text; {@code parse(uri.toString())} equals
 * {@code uri}. Stage references are case-insensitive and normalised to lower case.
 *
 * @param scheme {@code models} or {@code prompts}
 * @param name the registered model name
 * @param kind which form the reference takes
 * @param reference the part after the name: a number, {@code latest}, a stage label, an alias, a
 *     semantic version or a range, as written in canonical form
 */
public record ModelUri(String scheme, String name, Kind kind, String reference) {

  /** The form of a reference. */
  public enum Kind {
    /** {@code models:/name/7}: one version number. */
    NUMBER,
    /** {@code models:/name/latest}: the highest version number. */
    LATEST,
    /** {@code models:/name/production}: the version holding a stage. */
    STAGE,
    /** {@code models:/name@champion}: the version an alias points to. */
    ALIAS,
    /** {@code models:/name/1.4.2}: the version with exactly this semantic version. */
    SEMVER,
    /** {@code models:/name/^1.4}: the highest semantic version in a range. */
    RANGE
  }

  public ModelUri {
    if (!scheme.equals("models") && !scheme.equals("prompts")) {
      throw new IllegalArgumentException("Unknown URI scheme '" + scheme + "'; allowed: models, prompts");
    }
    Names.checkModelName(name);
    reference = normalise(kind, reference);
  }

  private static String normalise(Kind kind, String reference) {
    switch (kind) {
      case NUMBER:
        return Integer.toString(parseNumber(reference));
      case LATEST:
        if (!reference.equalsIgnoreCase("latest")) {
          throw new IllegalArgumentException("A LATEST reference must be 'latest', not '" + reference + "'");
        }
        return "latest";
      case STAGE:
        return Stage.parse(reference).label();
      case ALIAS:
        Names.checkAliasSyntax(reference);
        return reference;
      case SEMVER:
        return SemanticVersion.parse(reference).toString();
      case RANGE:
        return VersionRange.parse(reference).text();
      default:
        throw new AssertionError(kind);
    }
  }

  private static int parseNumber(String text) {
    try {
      int n = Integer.parseInt(text);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("Invalid version number '" + text + "': expected an integer >= 1");
  }

  /** {@code models:/name/number}. */
  public static ModelUri ofNumber(String name, int number) {
    return new ModelUri("models", name, Kind.NUMBER, Integer.toString(number));
  }

  /** {@code models:/name@alias}. */
  public static ModelUri ofAlias(String name, String alias) {
    return new ModelUri("models", name, Kind.ALIAS, alias);
  }

  /** {@code models:/name/stage}. */
  public static ModelUri ofStage(String name, Stage stage) {
    return new ModelUri("models", name, Kind.STAGE, stage.label());
  }

  /** {@code models:/name/latest}. */
  public static ModelUri latest(String name) {
    return new ModelUri("models", name, Kind.LATEST, "latest");
  }

  /**
   * Parses every form listed in the class comment.
   *
   * @throws IllegalArgumentException naming what is wrong and the allowed forms
   */
  public static ModelUri parse(String text) {
    String scheme;
    String rest;
    if (text.startsWith("models:/")) {
      scheme = "models";
      rest = text.substring("models:/".length());
    } else if (text.startsWith("prompts:/")) {
      scheme = "prompts";
      rest = text.substring("prompts:/".length());
    } else {
      throw invalid(text, "it must start with models:/ or prompts:/");
    }
    int at = rest.indexOf('@');
    int slash = rest.indexOf('/');
    if (at >= 0 && (slash < 0 || at < slash)) {
      if (slash >= 0) {
        throw invalid(text, "an alias reference has no '/' after the alias");
      }
      return checked(text, scheme, rest.substring(0, at), Kind.ALIAS, rest.substring(at + 1));
    }
    if (slash < 0) {
      throw invalid(text, "no version reference after the model name");
    }
    String name = rest.substring(0, slash);
    String ref = rest.substring(slash + 1);
    if (ref.isEmpty() || ref.indexOf('/') >= 0) {
      throw invalid(text, "expected exactly one reference after the model name");
    }
    return checked(text, scheme, name, classify(ref), ref);
  }

  /** Parses, or returns null when {@code text} is not a valid URI. */
  public static @Nullable ModelUri parseOrNull(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Kind classify(String ref) {
    char c = ref.charAt(0);
    if (c == '^' || c == '~') {
      return Kind.RANGE;
    }
    if (isDigits(ref)) {
      return Kind.NUMBER;
    }
    if (ref.equalsIgnoreCase("latest")) {
      return Kind.LATEST;
    }
    if (Stage.parseOrNull(ref) != null) {
      return Kind.STAGE;
    }
    return Kind.SEMVER;
  }

  private static boolean isDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static ModelUri checked(String text, String scheme, String name, Kind kind, String ref) {
    try {
      return new ModelUri(scheme, name, kind, ref);
    } catch (IllegalArgumentException e) {
      throw invalid(text, e.getMessage());
    }
  }

  private static IllegalArgumentException invalid(String text, @Nullable String why) {
    return new IllegalArgumentException("Invalid model URI '" + text + "': " + why
        + ". Allowed forms: models:/NAME/NUMBER, models:/NAME/latest, models:/NAME/STAGE, models:/NAME@ALIAS,"
        + " models:/NAME/1.4.2, models:/NAME/^1.4, models:/NAME/~1.4.0 (or prompts:/...)");
  }

  /** The version number of a {@link Kind#NUMBER} reference. */
  public int number() {
    requireKind(Kind.NUMBER);
    return Integer.parseInt(reference);
  }

  /** The stage of a {@link Kind#STAGE} reference. */
  public Stage stage() {
    requireKind(Kind.STAGE);
    return Stage.valueOf(reference.toUpperCase(Locale.ROOT));
  }

  /** The semantic version of a {@link Kind#SEMVER} reference. */
  public SemanticVersion semver() {
    requireKind(Kind.SEMVER);
    return SemanticVersion.parse(reference);
  }

  /** The range of a {@link Kind#RANGE} reference. */
  public VersionRange range() {
    requireKind(Kind.RANGE);
    return VersionRange.parse(reference);
  }

  /** Whether this reference always names the same version (a number or an exact semantic version). */
  public boolean isImmutable() {
    return kind == Kind.NUMBER || kind == Kind.SEMVER;
  }

  private void requireKind(Kind expected) {
    if (kind != expected) {
      throw new IllegalStateException(this + " is a " + kind + " reference, not " + expected);
    }
  }

  @Override
  public String toString() {
    return scheme + ":/" + name + (kind == Kind.ALIAS ? "@" : "/") + reference;
  }
}

package io.modelreg;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The naming rules of the registry, in one place. The policy layer applies them to every call; backends
 * may call them again as a second line of defence (for example before turning a name into a path).
 *
 * <ul>
 *   <li>Model names: {@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most 255 characters; never a path.
 *   <li>Aliases: {@code [A-Za-z][A-Za-z0-9_-]*}, at most 255 characters; {@code latest}, {@code
 *       v<digits>}, {@code none} and the stage names are reserved (case-insensitive).
 *   <li>Tag, parameter and metric keys: 1 to 250 characters of {@code [A-Za-z0-9_.-/: ]}; keys starting
 *       with {@code modelreg.} are reserved for backends.
 *   <li>Tag and parameter values: at most 5000 characters, no control characters other than tab, CR and
 *       LF.
 *   <li>Artifact paths: relative, {@code /}-separated, at most 1024 characters; no empty, {@code .} or
 *       {@code ..} segment, no backslash, no {@code :}, no control character.
 * </ul>
 */
public final class Names {
  /** Maximum length of a model name or alias. */
  public static final int MAX_NAME_LENGTH = 255;
  /** Maximum length of a tag, parameter or metric key. */
  public static final int MAX_KEY_LENGTH = 250;
  /** Maximum length of a tag or parameter value. */
  public static final int MAX_VALUE_LENGTH = 5000;
  /** Maximum length of an artifact path. */
  public static final int MAX_PATH_LENGTH = 1024;
  /** Tag keys with this prefix belong to backends and cannot be set by users. */
  public static final String RESERVED_TAG_PREFIX = "modelreg.";

  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
  private static final Pattern VERSION_ALIAS = Pattern.compile("[vV][0-9]+");
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-/: ]+");
  private static final Set<String> RESERVED_ALIASES =
      Set.of("latest", "none", "development", "staging", "production", "archived");

  private Names() {}

  /**
   * Checks a registered model name.
   *
   * @throws IllegalArgumentException saying what is wrong and what is allowed
   */
  public static String checkModelName(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("Model name must not be empty; allowed: [A-Za-z0-9][A-Za-z0-9._-]*");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("Model name is " + name.length() + " characters long; at most "
          + MAX_NAME_LENGTH + " are allowed");
    }
    if (!MODEL_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid model name '" + printable(name)
          + "': allowed are letters, digits, '.', '_' and '-', starting with a letter or digit"
          + " ([A-Za-z0-9][A-Za-z0-9._-]*)");
    }
    return name;
  }

  /** The name if it is a valid model name, else null. */
  public static @org.jspecify.annotations.Nullable String checkModelNameOrNull(String name) {
    return name.length() <= MAX_NAME_LENGTH && MODEL_NAME.matcher(name).matches() ? name : null;
  }

  /** Checks the syntax of an alias as it may appear in a URI (managed aliases included). */
  public static String checkAliasSyntax(String alias) {
    if (alias.isEmpty() || alias.length() > MAX_NAME_LENGTH || !ALIAS.matcher(alias).matches()) {
      throw new IllegalArgumentException("Invalid alias '" + printable(alias)
          + "': an alias is 1 to 255 characters of [A-Za-z][A-Za-z0-9_-]*");
    }
    return alias;
  }

  /**
   * Checks an alias a user wants to set: valid syntax and not reserved.
   *
   * @throws IllegalArgumentException for bad syntax or a reserved alias
   */
  public static String checkUserAlias(String alias) {
    checkAliasSyntax(alias);
    if (isReservedAlias(alias)) {
      throw new IllegalArgumentException("Alias '" + alias + "' is reserved: 'latest', 'none', 'v<digits>' and"
          + " the stage names (development, staging, production, archived) cannot be set as aliases");
    }
    return alias;
  }

  /** Whether an alias is reserved ({@code latest}, {@code v7}, stage names). */
  public static boolean isReservedAlias(String alias) {
    return RESERVED_ALIASES.contains(alias.toLowerCase(Locale.ROOT)) || VERSION_ALIAS.matcher(alias).matches();
  }

  /** Checks a tag, parameter or metric key ({@code what} names it in the message). */
  public static String checkKey(String what, String key) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("Invalid " + what + " key '" + printable(key) + "': 1 to "
          + MAX_KEY_LENGTH + " characters of letters, digits, '_', '.', '-', '/', ':' and space");
    }
    return key;
  }

  /** Checks a key a user sets: valid and not in the reserved {@code modelreg.} namespace. */
  public static String checkUserKey(String what, String key) {
    checkKey(what, key);
    if (key.startsWith(RESERVED_TAG_PREFIX)) {
      throw new IllegalArgumentException("The " + what + " key '" + key + "' is reserved: keys starting with '"
          + RESERVED_TAG_PREFIX + "' belong to the registry backends");
    }
    return key;
  }

  /** Checks a tag or parameter value. */
  public static String checkValue(String what, String key, String value) {
    if (value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException("The value of " + what + " '" + key + "' is " + value.length()
          + " characters long; at most " + MAX_VALUE_LENGTH + " are allowed");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
        throw new IllegalArgumentException("The value of " + what + " '" + key
            + "' contains control character U+" + String.format(Locale.ROOT, "%04X", (int) c) + " at index " + i);
      }
    }
    return value;
  }

  /** Checks a metric value: finite. */
  public static double checkMetric(String key, double value) {
    checkKey("metric", key);
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("Metric '" + key + "' is " + value + "; metric values must be finite");
    }
    return value;
  }

  /**
   * Checks an artifact path: relative, {@code /}-separated, and unable to escape the version's root.
   *
   * @throws IllegalArgumentException naming the offending segment or character
   */
  public static String checkArtifactPath(String path) {
    if (path.isEmpty() || path.length() > MAX_PATH_LENGTH) {
      throw new IllegalArgumentException("Artifact path must be 1 to " + MAX_PATH_LENGTH + " characters, got "
          + path.length());
    }
    if (path.charAt(0) == '/') {
      throw new IllegalArgumentException("Artifact path '" + printable(path)
          + "' is absolute; artifact paths are relative, like 'model.onnx' or 'data/vocab.txt'");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' || c == ':' || Character.isISOControl(c)) {
        throw new IllegalArgumentException("Artifact path '" + printable(path) + "' contains "
            + (c == '\\' ? "a backslash" : c == ':' ? "':'" : "a control character")
            + " at index " + i + "; use '/' to separate directories");
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("Artifact path '" + printable(path)
            + "' has an empty, '.' or '..' segment; it must stay inside the version's artifact root");
      }
      if (segment.length() > MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("Artifact path '" + printable(path) + "' has a segment longer than "
            + MAX_NAME_LENGTH + " characters");
      }
    }
    return path;
  }

  /**
   * @throws IllegalArgumentException if {@code number} is not a version number (they start at 1)
   */
  static int checkVersionNumber(int number) {
    if (number < 1) {
      throw new IllegalArgumentException("Version numbers start at 1, got " + number);
    }
    return number;
  }

  /** A description is a value (at most {@value #MAX_VALUE_LENGTH} characters, no control characters); null is none. */
  static void checkDescription(@org.jspecify.annotations.Nullable String description) {
    if (description != null) {
      checkValue("description", "description", description);
    }
  }

  /** Escapes control characters and shortens long text so it can be shown in a message. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    int limit = Math.min(s.length(), 80);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (s.length() > limit) {
      sb.append("…(").append(s.length()).append(" chars)");
    }
    return sb.toString();
  }
}

package io.modelreg.prompts;

import java.util.List;

/** Strict rendering found variables without values; {@link #missing()} names every one. */
public class MissingVariablesException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final List<String> missing;

  MissingVariablesException(List<String> missing, List<String> given) {
    super("Missing template variables: " + String.join(", ", missing) + " (given: " + given + ")");
    this.missing = List.copyOf(missing);
  }

  /** The missing variables as written in the template ({@code user.name}, {@code 0}). */
  public List<String> missing() {
    return missing;
  }
}

package io.modelreg.prompts;

import java.util.List;

/**
 * How two prompt versions differ.
 *
 * @param from the older version
 * @param to the newer version
 * @param variablesAdded variables {@code to} uses that {@code from} does not
 * @param variablesRemoved variables {@code from} uses that {@code to} does not
 * @param diff a unified text diff of the templates, empty when they are equal
 * @param requiredBump the semantic-version bump the change needs: MAJOR, MINOR, PATCH or NONE
 */
public record PromptComparison(PromptVersion from, PromptVersion to, List<String> variablesAdded,
    List<String> variablesRemoved, String diff, Bump requiredBump) {

  /** The size of a semantic-version bump. */
  public enum Bump {
    NONE,
    PATCH,
    MINOR,
    MAJOR
  }

  public PromptComparison {
    variablesAdded = List.copyOf(variablesAdded);
    variablesRemoved = List.copyOf(variablesRemoved);
  }
}

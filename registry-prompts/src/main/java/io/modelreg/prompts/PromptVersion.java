package io.modelreg.prompts;

import io.modelreg.ModelVersion;
import io.modelreg.SemanticVersion;
import io.modelreg.Stage;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One registered prompt version: its template, semantic version, commit message and the registry facts
 * behind it. Immutable; render with {@link #render}.
 *
 * @param name the prompt name
 * @param number the registry's version number
 * @param semver the semantic version
 * @param template the parsed template
 * @param message the commit message, or empty
 * @param bumpOverride why the semver bump rule was overridden, if it was
 * @param version the model version that stores it (stage, aliases, tags, lineage)
 */
public record PromptVersion(String name, int number, SemanticVersion semver, PromptTemplate template, String message,
    Optional<String> bumpOverride, ModelVersion version) {

  public Stage stage() {
    return version.stage();
  }

  public List<String> aliases() {
    return version.aliases();
  }

  /** {@code prompts:/name/number}. */
  public String uri() {
    return "prompts:/" + name + "/" + number;
  }

  /**
   * Why this version is for Java only, and what MLflow's Python client cannot render in it; empty when
   * Python renders it as Java does.
   */
  public Optional<String> javaOnly() {
    return Optional.ofNullable(version.tags().get(PromptRegistry.JAVA_ONLY));
  }

  /** Renders the template strictly with named values. */
  public String render(Map<String, ?> values) {
    return template.render(values);
  }
}

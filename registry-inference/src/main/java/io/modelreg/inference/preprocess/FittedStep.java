package io.modelreg.inference.preprocess;

import java.util.Map;
import java.util.Set;

/**
 * A fitted preprocessing step: its learned parameters are data (written to {@code preprocessor.json}),
 * and it transforms frames. Instances come from {@link Step#fit}; the set of kinds is closed, so a saved
 * file is always read back into the same classes, never into a type named by the file.
 */
public abstract class FittedStep {
  FittedStep() {}

  /**
   * Transforms a frame. Columns the step does not concern pass through in place.
   *
   * @throws IllegalArgumentException when a column is missing or of the wrong kind, or a category was not
   *     seen when fitting and the step does not ignore unknown categories
   */
  public abstract Frame transform(Frame input);

  /** The step's type and parameters as plain JSON values. */
  abstract Map<String, Object> toJson();

  /** Input columns whose missing values this step (or a step inside it) fills. */
  abstract Set<String> imputedColumns();
}

package io.modelreg.inference.preprocess;

/** A preprocessing step before fitting; see {@link Preprocessing} for the kinds. */
@FunctionalInterface
public interface Step {
  /**
   * Learns the step's parameters from {@code data}.
   *
   * @throws IllegalArgumentException when a column is missing, of the wrong kind, or has no values to learn from
   */
  FittedStep fit(Frame data);
}

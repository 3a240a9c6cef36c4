package io.modelreg.inference.preprocess;

import java.util.List;

/** An input row (or batch) that does not fit the model: {@link #problems()} lists every problem at once. */
public class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public InvalidInputException(List<String> problems) {
    super("Invalid model input: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, one sentence each. */
  public List<String> problems() {
    return problems;
  }
}

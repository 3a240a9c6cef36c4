package io.modelreg;

import java.util.List;

/**
 * The result of {@link ModelRegistry#verify()}: what was checked and every problem found.
 *
 * @param models registered models checked
 * @param versions model versions checked
 * @param artifacts distinct artifact contents re-hashed
 * @param problems one sentence per problem, naming the model version, file or stored object
 */
public record VerificationReport(int models, int versions, int artifacts, List<String> problems) {
  public VerificationReport {
    problems = List.copyOf(problems);
  }

  /** Whether no problem was found. */
  public boolean isClean() {
    return problems.isEmpty();
  }
}

package io.modelreg;

import java.util.List;

/**
 * A stage transition was refused: it skips a stage, or it did not pass the {@link PromotionPolicy}
 * configured for its target stage. {@link #reasons()} lists every unmet rule, not just the first.
 */
public class PromotionRejectedException extends RegistryException {
  private static final long serialVersionUID = 1L;
  private final List<String> reasons;

  public PromotionRejectedException(String subject, List<String> reasons) {
    super(subject + " was rejected: " + String.join("; ", reasons));
    this.reasons = List.copyOf(reasons);
  }

  /** Every rule the transition did not meet, in the order they were checked. */
  public List<String> reasons() {
    return reasons;
  }
}

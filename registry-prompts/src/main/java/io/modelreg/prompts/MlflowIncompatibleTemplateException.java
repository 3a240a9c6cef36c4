package io.modelreg.prompts;

import java.util.List;

/**
 * A template was refused on a registry whose prompts MLflow's Python client reads ({@link
 * io.modelreg.spi.StoreCapability#MLFLOW_PROMPTS}): MLflow would leave it unrendered. {@link
 * #incompatibilities()} names each construct and where it is; register it with {@link
 * PromptRegistry#registerJavaOnly} to keep it anyway, marked for Python users.
 */
public class MlflowIncompatibleTemplateException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final List<PromptTemplate.MlflowIncompatibility> incompatibilities;

  MlflowIncompatibleTemplateException(String message, List<PromptTemplate.MlflowIncompatibility> incompatibilities) {
    super(message);
    this.incompatibilities = List.copyOf(incompatibilities);
  }

  /** What MLflow's Python client cannot render, in template order. */
  public List<PromptTemplate.MlflowIncompatibility> incompatibilities() {
    return incompatibilities;
  }
}

package io.modelreg;

/** The registered model (or prompt) named by the caller does not exist. */
public class ModelNotFoundException extends NotFoundException {
  private static final long serialVersionUID = 1L;
  private final String modelName;

  public ModelNotFoundException(String modelName) {
    super("Registered model '" + modelName + "' not found");
    this.modelName = modelName;
  }

  /** The name that was asked for. */
  public String modelName() {
    return modelName;
  }
}

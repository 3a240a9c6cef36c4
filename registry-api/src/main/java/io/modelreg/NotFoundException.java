package io.modelreg;

/** A registered model, model version, alias or artifact that the caller named does not exist. */
public class NotFoundException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }
}

package io.modelreg;

/** A registered model with that name already exists. */
public class AlreadyExistsException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public AlreadyExistsException(String message) {
    super(message);
  }
}

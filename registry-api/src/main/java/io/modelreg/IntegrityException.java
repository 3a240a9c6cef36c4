package io.modelreg;

/**
 * Stored bytes or metadata do not match their recorded SHA-256 digest or size, or a stored file cannot
 * be parsed. The data must not be used; the message names the model version and file.
 */
public class IntegrityException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(String message) {
    super(message);
  }

  public IntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}

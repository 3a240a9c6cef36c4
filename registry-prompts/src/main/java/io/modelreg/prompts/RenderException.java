package io.modelreg.prompts;

/**
 * A value cannot be rendered as its field asks (a format spec invalid for the value's type, an index into
 * something that is not a list). {@link #pythonError()} names the exception CPython raises in the same case.
 */
public class RenderException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String pythonError;

  RenderException(String message, String pythonError, Throwable cause) {
    super(message, cause);
    this.pythonError = pythonError;
  }

  RenderException(String message, String pythonError) {
    super(message);
    this.pythonError = pythonError;
  }

  /** {@code ValueError}, {@code TypeError}, {@code IndexError}, {@code KeyError} or {@code OverflowError}. */
  public String pythonError() {
    return pythonError;
  }
}

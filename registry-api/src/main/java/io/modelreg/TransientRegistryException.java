package io.modelreg;

import org.jspecify.annotations.Nullable;

/**
 * A failure that may go away if the same call is repeated later: a backend that is down, overloaded
 * (HTTP 429/5xx after the backend's own bounded retries) or a lock that could not be taken in time.
 */
public class TransientRegistryException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public TransientRegistryException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}

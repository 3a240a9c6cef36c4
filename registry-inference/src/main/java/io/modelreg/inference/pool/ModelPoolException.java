package io.modelreg.inference.pool;

import io.modelreg.RegistryException;
import org.jspecify.annotations.Nullable;

/** A model the pool cannot serve: larger than the whole budget, or in back-off after a failed load. */
public class ModelPoolException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public ModelPoolException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}

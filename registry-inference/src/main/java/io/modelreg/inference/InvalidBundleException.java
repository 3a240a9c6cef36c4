package io.modelreg.inference;

import io.modelreg.RegistryException;
import org.jspecify.annotations.Nullable;

/**
 * A model version's files do not make a usable bundle: no {@code MLmodel}, no ONNX flavor, a model file
 * ONNX Runtime cannot load, a preprocessor that does not fit the model. The message names the version and
 * the file.
 */
public class InvalidBundleException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public InvalidBundleException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
